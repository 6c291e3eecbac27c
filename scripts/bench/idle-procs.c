/* Fork N idle processes (pause()) for the benchmark, print "ready" and wait for stdin to close;
   then kill exactly the children it forked, by pid, and reap them. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 1000;
  pid_t *kids = calloc((size_t)n, sizeof(pid_t));
  pid_t parent = getpid();
  int made = 0;
  for (int i = 0; i < n; i++) {
    pid_t p = fork();
    if (p == 0) {
      /* if the parent is killed outright, its children must not outlive it */
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (getppid() != parent) _exit(0);
      for (;;) pause();
    }
    if (p < 0) break;
    kids[made++] = p;
  }
  printf("ready %d\n", made);
  fflush(stdout);
  char buf[64];
  while (read(0, buf, sizeof buf) > 0) {}
  for (int i = 0; i < made; i++) kill(kids[i], SIGKILL);
  for (int i = 0; i < made; i++) waitpid(kids[i], NULL, 0);
  return 0;
}
