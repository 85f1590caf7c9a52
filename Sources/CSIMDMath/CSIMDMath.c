// The functions of this module are all `static inline` in its header; this file only gives
// the target something to compile.
#include "CSIMDMath.h"
