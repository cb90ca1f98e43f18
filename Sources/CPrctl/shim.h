#ifndef LICMGR_CPRCTL_SHIM_H
#define LICMGR_CPRCTL_SHIM_H

#include <malloc.h>
#include <sys/prctl.h>

/* prctl is variadic, which Swift cannot call: this typed wrapper is the way in. */
static inline int licmgr_forbid_core_dumps(void) {
    return prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

/* M_MMAP_THRESHOLD is a macro of glibc's malloc.h, which Swift's Glibc module leaves out. */
static inline int licmgr_mmap_blocks_from(int bytes) {
    return mallopt(M_MMAP_THRESHOLD, bytes);
}

#endif
