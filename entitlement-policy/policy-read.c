/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * policy-read.c - reads /etc/uacd/policy.yml: the file, its one YAML
 * document (yaml/strict-yaml.c), the schema walk (policy-load.c) and the
 * strings re-homed into the policy's arena once the document goes away.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "entitlement-policy/policy-fields.h"

#define MAX_POLICY_BYTES (1u << 20)	/* a policy is a few KiB; 1 MiB is absurd */

/* Copies the scalar strings we keep into the arena: the document goes away. */
static int detach_strings(struct uacpol *p)
{
	/*
	 * Rather than chase every pointer, the loader stores pointers into the
	 * yaml document and we re-home them here.  Each string field lives in
	 * a strlist or is a rule name.
	 */
	struct uacpol_strlist *lists[8];
	size_t i, j, l, n_lists;

	for (i = 0; i < p->n_dev_rules; i++) {
		struct uacpol_dev_rule *r = &p->dev_rules[i];

		r->name = uacpol_arena_strndup(&p->arena, r->name, strlen(r->name));
		if (!r->name)
			return -ENOMEM;
		n_lists = 0;
		lists[n_lists++] = &r->match.kind;
		lists[n_lists++] = &r->match.name;
		lists[n_lists++] = &r->match.serial;
		lists[n_lists++] = &r->match.bus_path;
		for (l = 0; l < n_lists; l++)
			for (j = 0; j < lists[l]->n; j++) {
				lists[l]->v[j] = uacpol_arena_strndup(&p->arena, lists[l]->v[j], strlen(lists[l]->v[j]));
				if (!lists[l]->v[j])
					return -ENOMEM;
			}
	}
	for (i = 0; i < p->n_client_rules; i++) {
		struct uacpol_client_rule *r = &p->client_rules[i];

		r->name = uacpol_arena_strndup(&p->arena, r->name, strlen(r->name));
		if (!r->name)
			return -ENOMEM;
		n_lists = 0;
		lists[n_lists++] = &r->devices;
		lists[n_lists++] = &r->device_match.kind;
		lists[n_lists++] = &r->device_match.name;
		lists[n_lists++] = &r->device_match.serial;
		lists[n_lists++] = &r->device_match.bus_path;
		lists[n_lists++] = &r->exe;
		lists[n_lists++] = &r->unit;
		lists[n_lists++] = &r->cgroup;
		for (l = 0; l < n_lists; l++)
			for (j = 0; j < lists[l]->n; j++) {
				lists[l]->v[j] = uacpol_arena_strndup(&p->arena, lists[l]->v[j], strlen(lists[l]->v[j]));
				if (!lists[l]->v[j])
					return -ENOMEM;
			}
	}
	return 0;
}

int uacpol_parse(const char *text, size_t len, const char *filename,
		 struct uacpol **out, char *err, size_t errlen)
{
	static const struct syaml_opts opts = {
		.one_document = "a policy file holds one YAML document, not several",
	};
	struct uacpol_loader ld = { .y = { .err = err, .errlen = errlen } };
	struct uacpol *p;
	int ret;

	ld.y.file = filename ? filename : "<policy>";
	if (!out || (!text && len))
		return -EINVAL;
	*out = NULL;
	if (err && errlen)
		err[0] = '\0';
	if (len > MAX_POLICY_BYTES)
		return syaml_fail(&ld.y, NULL, "policy is larger than %u bytes", MAX_POLICY_BYTES);
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	ld.pol = p;
	ld.nss_buf = malloc(UACPOL_NSS_BUF_SIZE);
	ret = ld.nss_buf ? syaml_load(&ld.y, text, len, &opts) : -ENOMEM;
	if (ret == 0)
		ret = uacpol_load_root(&ld);
	if (ret == 0)
		ret = detach_strings(p);
	if (ret == 0) {
		p->filename = uacpol_arena_strndup(&p->arena, ld.y.file, strlen(ld.y.file));
		if (!p->filename)
			ret = -ENOMEM;
	}
	syaml_release(&ld.y);
	free(ld.nss_buf);
	if (ret == 0) {
		*out = p;
		return 0;
	}
	uacpol_free(p);
	if (ret == -ENOMEM && err && errlen)
		snprintf(err, errlen, "%s: out of memory", ld.y.file);
	return ret;
}

int uacpol_load(const char *path, struct uacpol **out, char *err, size_t errlen)
{
	struct stat st;
	char *text;
	ssize_t n;
	size_t got = 0;
	int fd, ret;

	if (!path || !out)
		return -EINVAL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		goto err_report;
	}
	if (fstat(fd, &st) < 0) {
		ret = -errno;
		goto err_close;
	}
	if (!S_ISREG(st.st_mode)) {
		ret = -EINVAL;
		if (err && errlen)
			snprintf(err, errlen, "%s: not a regular file", path);
		goto err_close_quiet;
	}
	if (st.st_size > (off_t)MAX_POLICY_BYTES) {
		ret = -EFBIG;
		goto err_close;
	}
	text = malloc((size_t)st.st_size + 1);
	if (!text) {
		ret = -ENOMEM;
		goto err_close;
	}
	while (got < (size_t)st.st_size) {
		n = read(fd, text + got, (size_t)st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			goto err_free_text;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	ret = uacpol_parse(text, got, path, out, err, errlen);
	free(text);
	return ret;

err_free_text:
	free(text);
err_close:
	close(fd);
err_report:
	if (err && errlen)
		snprintf(err, errlen, "%s: %s", path, strerror(-ret));
	return ret;
err_close_quiet:
	close(fd);
	return ret;
}

void uacpol_free(struct uacpol *p)
{
	if (!p)
		return;
	uacpol_arena_free(p->arena);
	free(p);
}

size_t uacpol_n_device_rules(const struct uacpol *p)
{
	return p ? p->n_dev_rules : 0;
}

size_t uacpol_n_client_rules(const struct uacpol *p)
{
	return p ? p->n_client_rules : 0;
}
