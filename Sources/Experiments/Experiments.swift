import MLP
import Datasets
public enum ExperimentsPlaceholder {}
