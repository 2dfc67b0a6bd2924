/*
 * relayd entry point: configuration, privilege drop, pid file, signals.
 *
 *   relayd [-c /etc/relay/relayd.conf]
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <syslog.h>
#include <unistd.h>

#include "relayd.h"

#define DEFAULT_CONFIG "/etc/relay/relayd.conf"

static struct relayd_ctx g_ctx;

static void set_defaults(struct relayd_config *cfg)
{
	memset(cfg, 0, sizeof *cfg);
	snprintf(cfg->listen_addr, sizeof cfg->listen_addr, "0.0.0.0");
	cfg->listen_port = 7421;
	snprintf(cfg->spool_path, sizeof cfg->spool_path, "/var/spool/relay/relayd.spool");
	snprintf(cfg->pid_file, sizeof cfg->pid_file, "/run/relayd.pid");
	cfg->uid = 65534;
	cfg->gid = 65534;
}

int relayd_load_config(const char *path, struct relayd_config *cfg)
{
	char line[512], key[64], val[256];
	unsigned lineno = 0;
	FILE *fp = fopen(path, "r");

	if (!fp) {
		syslog(LOG_ERR, "cannot open %s: %m", path);
		return -1;
	}
	while (fgets(line, sizeof line, fp)) {
		lineno++;
		if (line[0] == '#' || line[0] == '\n')
			continue;
		if (sscanf(line, " %63[^= ] = %255[^\n]", key, val) != 2) {
			syslog(LOG_WARNING, "%s:%u: malformed line ignored", path, lineno);
			continue;
		}
		if (!strcmp(key, "listen_addr"))
			snprintf(cfg->listen_addr, sizeof cfg->listen_addr, "%s", val);
		else if (!strcmp(key, "listen_port"))
			cfg->listen_port = (uint16_t)strtoul(val, NULL, 10);
		else if (!strcmp(key, "spool"))
			snprintf(cfg->spool_path, sizeof cfg->spool_path, "%s", val);
		else if (!strcmp(key, "pid_file"))
			snprintf(cfg->pid_file, sizeof cfg->pid_file, "%s", val);
		else if (!strcmp(key, "uid"))
			cfg->uid = (uid_t)strtoul(val, NULL, 10);
		else if (!strcmp(key, "gid"))
			cfg->gid = (gid_t)strtoul(val, NULL, 10);
		else if (!strcmp(key, "ice"))
			cfg->enable_ice = !strcmp(val, "yes");
		else
			syslog(LOG_WARNING, "%s:%u: unknown key '%s'", path, lineno, key);
	}
	fclose(fp);
	return 0;
}

int relayd_drop_privileges(const struct relayd_config *cfg)
{
	if (getuid() != 0)
		return 0; /* started unprivileged, nothing to drop */
	if (setgroups(0, NULL) < 0 || setgid(cfg->gid) < 0) {
		syslog(LOG_ERR, "cannot drop group privileges: %m");
		return -1;
	}
	setuid(cfg->uid);
	syslog(LOG_INFO, "running as uid %u, gid %u", (unsigned)cfg->uid, (unsigned)cfg->gid);
	return 0;
}

int relayd_write_pidfile(const struct relayd_config *cfg)
{
	char buf[32];
	int fd = open(cfg->pid_file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0) {
		syslog(LOG_ERR, "cannot create %s: %m", cfg->pid_file);
		return -1;
	}
	int len = snprintf(buf, sizeof buf, "%ld\n", (long)getpid());
	write(fd, buf, (size_t)len);
	close(fd);
	return 0;
}

static int open_listener(const struct relayd_config *cfg)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(cfg->listen_port)};
	int one = 1;
	int fd;

	if (inet_pton(AF_INET, cfg->listen_addr, &sa.sin_addr) != 1) {
		syslog(LOG_ERR, "bad listen address '%s'", cfg->listen_addr);
		return -1;
	}
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(fd, 128) < 0) {
		syslog(LOG_ERR, "cannot listen on %s:%u: %m", cfg->listen_addr, cfg->listen_port);
		close(fd);
		return -1;
	}
	return fd;
}

static void on_term(int sig)
{
	(void)sig;
	relayd_request_stop(&g_ctx);
}

int main(int argc, char **argv)
{
	static struct relayd_config cfg;
	const char *config_path = DEFAULT_CONFIG;
	struct relayd_ice *ice = NULL;
	struct sigaction sa;
	int opt, rc;

	while ((opt = getopt(argc, argv, "c:")) != -1) {
		if (opt != 'c') {
			fprintf(stderr, "usage: %s [-c config]\n", argv[0]);
			return 2;
		}
		config_path = optarg;
	}
	openlog("relayd", LOG_PID, LOG_DAEMON);
	set_defaults(&cfg);
	if (relayd_load_config(config_path, &cfg) < 0)
		return 1;

	g_ctx.cfg = &cfg;
	if ((g_ctx.listen_fd = open_listener(&cfg)) < 0)
		return 1;
	g_ctx.spool_fd = open(cfg.spool_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
	if (g_ctx.spool_fd < 0) {
		syslog(LOG_ERR, "cannot open spool %s: %m", cfg.spool_path);
		return 1;
	}
	if (pipe(g_ctx.wake_pipe) < 0 || relayd_write_pidfile(&cfg) < 0)
		return 1;
	if (relayd_drop_privileges(&cfg) < 0)
		return 1;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_term;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGTERM, &sa, NULL) < 0 || sigaction(SIGINT, &sa, NULL) < 0) {
		syslog(LOG_ERR, "sigaction: %m");
		return 1;
	}

	if (cfg.enable_ice && !(ice = relayd_ice_start(&g_ctx)))
		syslog(LOG_WARNING, "ICE ingest unavailable, TCP only");

	rc = relayd_run(&g_ctx);
	relayd_ice_stop(ice);
	unlink(cfg.pid_file);
	closelog();
	return rc < 0 ? 1 : 0;
}
