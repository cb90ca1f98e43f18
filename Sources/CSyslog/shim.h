#ifndef LICMGR_CSYSLOG_SHIM_H
#define LICMGR_CSYSLOG_SHIM_H

#include <syslog.h>

/* syslog is variadic, which Swift cannot call; the line goes through "%s" so that a '%' in
   it is never read as a format. */
static inline void licmgr_openlog(void) {
    openlog("licmgr", LOG_PID, LOG_DAEMON);
}

static inline void licmgr_syslog(int priority, const char *line) {
    syslog(priority, "%s", line);
}

#endif
