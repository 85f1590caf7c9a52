#ifndef SUBLIMINAL_CZLIB_SHIM_H
#define SUBLIMINAL_CZLIB_SHIM_H
#include <zlib.h>
#endif
