#ifndef LICMGR_CBUILDINFO_SHIM_H
#define LICMGR_CBUILDINFO_SHIM_H

/* What make bakes into the binary: Package.swift turns LICMGR_SYSCONFDIR and LICMGR_COMMIT
   from the environment into -D flags for the licmgr target alone. A plain `swift build`
   gets these defaults. Functions, not macros: Swift imports no macro defined on the
   command line. */

#ifndef LICMGR_SYSCONFDIR
#define LICMGR_SYSCONFDIR "/usr/local/etc"
#endif

#ifndef LICMGR_COMMIT
#define LICMGR_COMMIT "unknown"
#endif

static inline const char *licmgr_build_sysconfdir(void) {
    return LICMGR_SYSCONFDIR;
}

static inline const char *licmgr_build_commit(void) {
    return LICMGR_COMMIT;
}

#endif
