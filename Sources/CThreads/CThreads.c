// Everything in CThreads is inline in its header; SwiftPM needs one source file per C target.
#include "CThreads.h"
