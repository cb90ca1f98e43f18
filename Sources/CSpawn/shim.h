#ifndef LICMGR_CSPAWN_SHIM_H
#define LICMGR_CSPAWN_SHIM_H

#include <spawn.h>

/* glibc (2.29 and 2.34 on) declares these only under _GNU_SOURCE, which Swift's Glibc module
   is not built with: the hook needs them to start in / with no descriptor but its three, and
   pipes that no other child inherits. */
extern int posix_spawn_file_actions_addchdir_np(posix_spawn_file_actions_t *__restrict actions,
                                                const char *__restrict path);
extern int posix_spawn_file_actions_addclosefrom_np(posix_spawn_file_actions_t *actions, int from);
extern int pipe2(int pipefd[2], int flags);

#endif
