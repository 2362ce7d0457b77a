/* A tiny fake server for soak tests. It listens on a UNIX socket; each
 * "config" request allocates and touches BYTES of memory, and either keeps
 * it (--leak: a leak of a known amount per call) or frees it (--no-leak).
 *
 *   fakeserver --leak BYTES|--no-leak BYTES SOCKET    serve until killed
 *   fakeserver --send SOCKET                          one config request
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static int unix_addr(const char *path, struct sockaddr_un *a)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(a->sun_path))
		return -1;
	strcpy(a->sun_path, path);
	return 0;
}

static int send_config(const char *path)
{
	struct sockaddr_un a;
	char reply[8];
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	if (fd < 0 || unix_addr(path, &a) || connect(fd, (struct sockaddr *)&a, sizeof(a)))
		return 1;
	if (write(fd, "config\n", 7) != 7 || read(fd, reply, sizeof(reply)) < 2)
		return 1;
	close(fd);
	return strncmp(reply, "ok", 2) != 0;
}

/* Leaked blocks are chained from here, so the compiler cannot drop the
 * allocations as dead stores. */
static void *volatile leaked;
static volatile unsigned char sink;

static void handle(int c, size_t bytes, int leak)
{
	char req[64];
	ssize_t n = read(c, req, sizeof(req) - 1);

	if (n > 0 && strncmp(req, "config", 6) == 0) {
		char *p = malloc(bytes);
		if (p) {
			memset(p, 0x5a, bytes);
			sink = (unsigned char)p[bytes - 1];
			if (leak) {
				*(void **)p = leaked;
				leaked = p;
			} else {
				free(p);
			}
		}
		if (write(c, p ? "ok\n" : "no\n", 3) != 3)
			perror("fakeserver: write");
	}
	close(c);
}

static int serve(const char *path, size_t bytes, int leak)
{
	struct sockaddr_un a;
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	unlink(path);
	if (fd < 0 || unix_addr(path, &a) || bind(fd, (struct sockaddr *)&a, sizeof(a)) ||
	    listen(fd, 8)) {
		perror("fakeserver");
		return 1;
	}
	for (;;) {
		int c = accept(fd, NULL, NULL);
		if (c >= 0)
			handle(c, bytes, leak);
	}
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "--send"))
		return send_config(argv[2]);
	if (argc == 4 && (!strcmp(argv[1], "--leak") || !strcmp(argv[1], "--no-leak")))
		return serve(argv[3], (size_t)strtoull(argv[2], NULL, 10),
			     !strcmp(argv[1], "--leak"));
	fprintf(stderr, "usage: fakeserver --leak|--no-leak BYTES SOCKET | --send SOCKET\n");
	return 2;
}
