#ifndef LICMGR_CPRCTL_SHIM_H
#define LICMGR_CPRCTL_SHIM_H

#include <sys/prctl.h>

/* prctl is variadic, which Swift cannot call: this typed wrapper is the way in. */
static inline int licmgr_forbid_core_dumps(void) {
    return prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

#endif
