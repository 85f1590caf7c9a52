import IDX
public enum DatasetsPlaceholder {}
