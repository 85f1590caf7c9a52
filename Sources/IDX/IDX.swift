public enum IDXPlaceholder {}
