/* Makes context switches: two processes bounce a byte over pipes for the
 * given seconds. Usage: switcher SECONDS */
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int ab[2], ba[2];
	char c = 'x';
	pid_t child;

	if (argc != 2 || pipe(ab) || pipe(ba))
		return 2;
	alarm((unsigned)atoi(argv[1]));
	child = fork();
	if (child < 0)
		return 1;
	if (child == 0) {
		/* Only the parent may hold ab's write end: its death is our EOF. */
		close(ab[1]);
		close(ba[0]);
		while (read(ab[0], &c, 1) == 1 && write(ba[1], &c, 1) == 1)
			;
		return 0;
	}
	close(ab[0]);
	close(ba[1]);
	while (write(ab[1], &c, 1) == 1 && read(ba[0], &c, 1) == 1)
		;
	kill(child, SIGKILL);
	return 0;
}
