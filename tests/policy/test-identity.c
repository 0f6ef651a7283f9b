/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test-identity.c - client identity from a real AF_UNIX connection.
 *
 * The test binary doubles as the client: run as
 *   test-identity --connect NAME [--as UID]
 * it connects to the abstract socket NAME (after dropping to UID with
 * supplementary groups audio and video when --as is given), then obeys one
 * byte from the server: 'e' execs /bin/sleep (exec after connect), 'q'
 * exits.  Its socket is close-on-exec, so the server sees EOF exactly when
 * the exec has happened.
 *
 * Each test spawns such a client - directly, through a symlink, or from a
 * copy that is deleted before the server looks - and asserts what
 * uacpol_identity_from_socket() saw, what the re-check says, and what the
 * policy decides.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "entitlement-policy/uacpol.h"

static char self_exe[PATH_MAX];
static char sleep_exe[PATH_MAX];

static socklen_t abstract_addr(struct sockaddr_un *sa, const char *name)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	snprintf(sa->sun_path + 1, sizeof(sa->sun_path) - 1, "%s", name);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name));
}

/* ---- client mode ---- */

static int client_main(const char *name, const char *as)
{
	struct sockaddr_un sa;
	socklen_t len = abstract_addr(&sa, name);
	char cmd;
	int fd;

	if (as) {
		gid_t groups[2] = { 29, 44 };	/* audio, video (Debian numbering) */
		uid_t uid = (uid_t)strtoul(as, NULL, 10);

		if (setgroups(2, groups) < 0 || setgid(uid) < 0 || setuid(uid) < 0)
			return 3;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, len) < 0)
		return 4;
	if (read(fd, &cmd, 1) != 1)
		return 5;
	if (cmd == 'e') {
		execl(sleep_exe, "sleep", "30", (char *)NULL);
		return 6;
	}
	return 0;
}

/* ---- server side helpers ---- */

struct child {
	pid_t pid;
	int listen_fd;
	int conn;
};

static void spawn(struct child *ch, const char *exe, const char *as)
{
	struct sockaddr_un sa;
	char name[64];
	socklen_t len;

	snprintf(name, sizeof(name), "uacpol-test-%d", (int)getpid());
	len = abstract_addr(&sa, name);
	ch->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(ch->listen_fd, 0);
	ck_assert_int_eq(bind(ch->listen_fd, (struct sockaddr *)&sa, len), 0);
	ck_assert_int_eq(listen(ch->listen_fd, 1), 0);
	ch->pid = fork();
	ck_assert_int_ge(ch->pid, 0);
	if (ch->pid == 0) {
		if (as)
			execl(exe, "client", "--connect", name, "--as", as, (char *)NULL);
		else
			execl(exe, "client", "--connect", name, (char *)NULL);
		_exit(127);
	}
	ch->conn = accept4(ch->listen_fd, NULL, NULL, SOCK_CLOEXEC);
	ck_assert_int_ge(ch->conn, 0);
}

static void finish(struct child *ch)
{
	int status;

	kill(ch->pid, SIGKILL);
	waitpid(ch->pid, &status, 0);
	close(ch->conn);
	close(ch->listen_fd);
}

static struct uacpol *load(const char *text)
{
	struct uacpol *p = NULL;
	char err[512] = "";

	ck_assert_msg(uacpol_parse(text, strlen(text), "id.yml", &p, err, sizeof(err)) == 0, "%s", err);
	return p;
}

static void cgroup_of_self(char *out, size_t len)
{
	char line[512];
	FILE *f = fopen("/proc/self/cgroup", "r");

	out[0] = '\0';
	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, "0::", 3) == 0) {
			line[strcspn(line, "\n")] = '\0';
			snprintf(out, len, "%s", line + 3);
		}
	fclose(f);
}

/* ---- tests ---- */

START_TEST(test_identity_of_peer)
{
	struct uacpol_client c;
	struct stat st;
	gid_t groups[UACPOL_MAX_GROUPS];
	char why[256], want[512], cg[512];
	int n, i, status;
	struct child ch;

	spawn(&ch, self_exe, NULL);
	ck_assert_int_eq(uacpol_identity_from_socket(ch.conn, &c), 0);
	ck_assert_int_eq(c.pid, ch.pid);
	ck_assert_int_eq(c.uid, getuid());
	ck_assert_int_eq(c.gid, getgid());
	n = getgroups(UACPOL_MAX_GROUPS, groups);
	ck_assert_int_eq(c.n_groups, n);
	for (i = 0; i < n; i++)
		ck_assert_int_eq(c.groups[i], groups[i]);
	ck_assert_str_eq(c.exe, self_exe);
	ck_assert(!c.exe_unverified);
	ck_assert_int_eq(stat(self_exe, &st), 0);
	ck_assert(c.exe_dev == st.st_dev && c.exe_ino == st.st_ino);
	cgroup_of_self(cg, sizeof(cg));
	ck_assert_str_eq(c.cgroup, cg);
	ck_assert_int_ge(c.pidfd, 0);
	ck_assert_int_eq(uacpol_identity_recheck(&c, why, sizeof(why)), 0);
	ck_assert_str_eq(why, "");

	/* the client quits: its rights end with it */
	ck_assert_int_eq(write(ch.conn, "q", 1), 1);
	ck_assert_int_eq(waitpid(ch.pid, &status, 0), ch.pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ck_assert_int_eq(uacpol_identity_recheck(&c, why, sizeof(why)), -ESRCH);
	snprintf(want, sizeof(want), "process %d has exited since it connected", (int)ch.pid);
	ck_assert_str_eq(why, want);
	uacpol_identity_release(&c);
	ck_assert_int_eq(c.pidfd, -1);
	ck_assert_int_eq(uacpol_identity_recheck(&c, why, sizeof(why)), -EBADF);
	close(ch.conn);
	close(ch.listen_fd);
}
END_TEST

START_TEST(test_exec_after_connect)
{
	struct uacpol *p;
	struct uacpol_client c;
	struct uacpol_decision dec;
	char why[256], want[512], buf[1];
	struct child ch;
	char text[8192];

	snprintf(text, sizeof(text),
		 "clients:\n"
		 "  - name: the-test-program\n"
		 "    effect: allow\n"
		 "    actions: record\n"
		 "    match: {uid: %u, exe: \"%s\"}\n", (unsigned int)getuid(), self_exe);
	p = load(text);
	spawn(&ch, self_exe, NULL);
	ck_assert_int_eq(uacpol_identity_from_socket(ch.conn, &c), 0);
	ck_assert_int_eq(uacpol_check_client(p, &c, "sim", UACPOL_RECORD, &dec), 0);
	ck_assert(dec.allow);
	ck_assert_str_eq(dec.rule, "the-test-program");

	/* now it becomes /bin/sleep while keeping the connection's rights? */
	ck_assert_int_eq(write(ch.conn, "e", 1), 1);
	ck_assert_int_eq(read(ch.conn, buf, 1), 0);	/* EOF: close-on-exec fired */
	ck_assert_int_eq(uacpol_identity_recheck(&c, why, sizeof(why)), -EPERM);
	snprintf(want, sizeof(want), "process %d exec'd %.100s after connecting as %.100s",
		 (int)ch.pid, sleep_exe, self_exe);
	ck_assert_str_eq(why, want);
	ck_assert_int_eq(uacpol_check_client(p, &c, "sim", UACPOL_RECORD, &dec), 0);
	ck_assert(!dec.allow);
	ck_assert_str_eq(dec.rule, UACPOL_IDENTITY_RULE);
	ck_assert_str_eq(dec.reason, want);
	uacpol_identity_release(&c);
	finish(&ch);
	uacpol_free(p);
}
END_TEST

/* A scratch directory inside the build tree (exec must be allowed there). */
static void scratch_dir(char *dir, size_t len)
{
	char cwd[PATH_MAX - 32];

	ck_assert_ptr_nonnull(getcwd(cwd, sizeof(cwd)));
	snprintf(dir, len, "%s/uacpol-id-XXXXXX", cwd);
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

START_TEST(test_symlinked_exe)
{
	struct uacpol *p;
	struct uacpol_client c;
	struct uacpol_decision dec;
	char dir[PATH_MAX], link[PATH_MAX + 16], text[16384];
	struct child ch;

	scratch_dir(dir, sizeof(dir));
	snprintf(link, sizeof(link), "%s/player", dir);
	ck_assert_int_eq(symlink(self_exe, link), 0);
	snprintf(text, sizeof(text),
		 "clients:\n"
		 "  - name: by-link\n"
		 "    effect: allow\n"
		 "    actions: play\n"
		 "    match: {exe: \"%s\"}\n"
		 "  - name: by-target\n"
		 "    effect: allow\n"
		 "    actions: [play, record]\n"
		 "    match: {exe: \"%s\"}\n", link, self_exe);
	p = load(text);
	spawn(&ch, link, NULL);
	ck_assert_int_eq(uacpol_identity_from_socket(ch.conn, &c), 0);
	/* the kernel reports the resolved path: rules must name the target */
	ck_assert_str_eq(c.exe, self_exe);
	ck_assert(!c.exe_unverified);
	ck_assert_int_eq(uacpol_check_client(p, &c, "sim", UACPOL_PLAY, &dec), 0);
	ck_assert(dec.allow);
	ck_assert_str_eq(dec.rule, "by-target");
	uacpol_identity_release(&c);
	finish(&ch);
	uacpol_free(p);
	unlink(link);
	rmdir(dir);
}
END_TEST

static void copy_file(const char *from, const char *to)
{
	char buf[65536];
	ssize_t n;
	int in = open(from, O_RDONLY | O_CLOEXEC);
	int out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0755);

	ck_assert_int_ge(in, 0);
	ck_assert_int_ge(out, 0);
	for (;;) {
		n = read(in, buf, sizeof(buf));
		ck_assert_int_ge(n, 0);
		if (n == 0)
			break;
		ck_assert_int_eq(write(out, buf, (size_t)n), n);
	}
	close(in);
	ck_assert_int_eq(close(out), 0);
}

START_TEST(test_deleted_exe)
{
	struct uacpol *p;
	struct uacpol_client c;
	struct uacpol_decision dec;
	char dir[PATH_MAX], copy[PATH_MAX + 16], text[16384], why[256], want[512];
	struct child ch;

	scratch_dir(dir, sizeof(dir));
	snprintf(copy, sizeof(copy), "%s/recorder", dir);
	copy_file(self_exe, copy);
	snprintf(text, sizeof(text),
		 "clients:\n"
		 "  - name: recorder-by-path\n"
		 "    effect: allow\n"
		 "    actions: record\n"
		 "    match: {exe: \"%s\"}\n"
		 "  - name: everyone-plays\n"
		 "    effect: allow\n"
		 "    actions: play\n"
		 "    match: {uid: %u}\n", copy, (unsigned int)getuid());
	p = load(text);
	spawn(&ch, copy, NULL);
	ck_assert_int_eq(unlink(copy), 0);	/* e.g. a package upgrade */
	ck_assert_int_eq(uacpol_identity_from_socket(ch.conn, &c), 0);
	ck_assert_str_eq(c.exe, copy);		/* " (deleted)" stripped */
	ck_assert(c.exe_unverified);
	/* still the same program: the re-check passes ... */
	ck_assert_int_eq(uacpol_identity_recheck(&c, why, sizeof(why)), 0);
	/* ... but its path proves nothing any more: exe rules do not allow */
	ck_assert_int_eq(uacpol_check_client(p, &c, "sim", UACPOL_RECORD, &dec), 0);
	ck_assert(!dec.allow);
	ck_assert_str_eq(dec.rule, UACPOL_DEFAULT_DENY);
	snprintf(want, sizeof(want), "no client rule in id.yml allows record on \"sim\" for uid %u (its executable is deleted or unverifiable)",
		 (unsigned int)getuid());
	ck_assert_str_eq(dec.reason, want);
	/* rules that do not look at the executable still apply */
	ck_assert_int_eq(uacpol_check_client(p, &c, "sim", UACPOL_PLAY, &dec), 0);
	ck_assert(dec.allow);
	ck_assert_str_eq(dec.rule, "everyone-plays");
	uacpol_identity_release(&c);
	finish(&ch);
	uacpol_free(p);
	rmdir(dir);
}
END_TEST

START_TEST(test_supplementary_group_from_proc)
{
	static const char text[] =
		"clients:\n"
		"  - name: audio-members\n"
		"    effect: allow\n"
		"    actions: play\n"
		"    match: {group: audio}\n";
	struct uacpol *p;
	struct uacpol_client c;
	struct uacpol_decision dec;
	struct child ch;
	struct group *gr = getgrnam("audio");

	if (geteuid() != 0 || !gr || gr->gr_gid != 29) {
		printf("SKIP test_supplementary_group_from_proc: needs root and group audio = 29\n");
		return;
	}
	p = load(text);
	spawn(&ch, self_exe, "4242");
	ck_assert_int_eq(uacpol_identity_from_socket(ch.conn, &c), 0);
	ck_assert_int_eq(c.uid, 4242);
	ck_assert_int_eq(c.gid, 4242);
	ck_assert_int_eq(c.n_groups, 2);
	ck_assert_int_eq(c.groups[0], 29);
	ck_assert_int_eq(c.groups[1], 44);
	ck_assert_int_eq(uacpol_check_client(p, &c, "sim", UACPOL_PLAY, &dec), 0);
	ck_assert(dec.allow);
	ck_assert_str_eq(dec.rule, "audio-members");
	ck_assert_int_eq(uacpol_check_client(p, &c, "sim", UACPOL_RECORD, &dec), 0);
	ck_assert(!dec.allow);
	ck_assert_str_eq(dec.rule, UACPOL_DEFAULT_DENY);
	uacpol_identity_release(&c);
	finish(&ch);
	uacpol_free(p);
}
END_TEST

START_TEST(test_identity_from_pid)
{
	struct uacpol_client c;

	ck_assert_int_eq(uacpol_identity_from_pid(getpid(), &c), 0);
	ck_assert_int_eq(c.uid, geteuid());
	ck_assert_int_eq(c.gid, getegid());
	ck_assert_str_eq(c.exe, self_exe);
	uacpol_identity_release(&c);
	ck_assert_int_eq(uacpol_identity_from_pid(0, &c), -EINVAL);
	ck_assert_int_eq(uacpol_identity_from_socket(-1, &c), -EBADF);
}
END_TEST

struct unit_case {
	const char *cgroup, *unit;
};

static const struct unit_case unit_cases[] = {
	{ "/system.slice/uacd.service", "uacd.service" },
	{ "/user.slice/user-1000.slice/user@1000.service/app.slice/mpv-3.service", "mpv-3.service" },
	{ "/user.slice/user-1000.slice/session-2.scope", "session-2.scope" },
	{ "/user.slice/user-1000.slice/user@1000.service/app.slice/app-gnome-firefox-1234.scope/tab",
	  "app-gnome-firefox-1234.scope" },
	{ "/system.slice/docker-abc.scope/init.scope", "init.scope" },
	{ "/user.slice/user-1000.slice", "" },
	{ "/", "" },
	{ "/.service", "" },
	{ "", "" },
};

START_TEST(test_unit_from_cgroup)
{
	char unit[256];

	uacpol_unit_from_cgroup(unit_cases[_i].cgroup, unit, sizeof(unit));
	ck_assert_str_eq(unit, unit_cases[_i].unit);
}
END_TEST

static Suite *identity_suite(void)
{
	Suite *s = suite_create("identity");
	TCase *tc = tcase_create("identity");

	tcase_add_test(tc, test_identity_of_peer);
	tcase_add_test(tc, test_exec_after_connect);
	tcase_add_test(tc, test_symlinked_exe);
	tcase_add_test(tc, test_deleted_exe);
	tcase_add_test(tc, test_supplementary_group_from_proc);
	tcase_add_test(tc, test_identity_from_pid);
	tcase_add_loop_test(tc, test_unit_from_cgroup, 0, sizeof(unit_cases) / sizeof(unit_cases[0]));
	suite_add_tcase(s, tc);
	return s;
}

int main(int argc, char **argv)
{
	SRunner *sr;
	int failed;
	ssize_t n;
	char *real;

	n = readlink("/proc/self/exe", self_exe, sizeof(self_exe) - 1);
	if (n < 0)
		return 99;
	self_exe[n] = '\0';
	real = realpath("/bin/sleep", NULL);
	if (!real) {
		printf("SKIP: no /bin/sleep\n");
		return 77;
	}
	snprintf(sleep_exe, sizeof(sleep_exe), "%s", real);
	free(real);
	if (argc >= 3 && strcmp(argv[1], "--connect") == 0)
		return client_main(argv[2], argc >= 5 && strcmp(argv[3], "--as") == 0 ? argv[4] : NULL);

	sr = srunner_create(identity_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
