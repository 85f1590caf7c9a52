public enum MLPPlaceholder {}
