#ifndef LICMGR_CSQLITE_SHIM_H
#define LICMGR_CSQLITE_SHIM_H

#include <sqlite3.h>

/* SQLITE_TRANSIENT is a cast macro that Swift cannot import. */
static const sqlite3_destructor_type licmgr_sqlite_transient = SQLITE_TRANSIENT;

#endif
