#include "model.h"
#include "file.h"

#include <string.h>

void model_release(struct fl_model *m)
{
	VEC_FREE(&m->funcs);
	VEC_FREE(&m->classes);
	VEC_FREE(&m->calls);
	VEC_FREE(&m->tries);
	VEC_FREE(&m->handlers);
	VEC_FREE(&m->withs);
	VEC_FREE(&m->accesses);
	VEC_FREE(&m->gaccesses);
	VEC_FREE(&m->imports);
	VEC_FREE(&m->comments);
}

const char *model_resolve(struct fl_file *f, const char *dotted)
{
	if (!dotted || !f->m.imports.n)
		return dotted;
	size_t head = strcspn(dotted, ".");
	/* The last binding of a name wins, as at run time in most code. */
	for (size_t i = f->m.imports.n; i-- > 0;) {
		const struct fl_import *im = &f->m.imports.v[i];
		if (strlen(im->alias) == head &&
		    !strncmp(im->alias, dotted, head)) {
			if (!dotted[head])
				return im->qname;
			return arena_printf(f->a, "%s%s", im->qname,
					    dotted + head);
		}
	}
	return dotted;
}

void model_finish(struct fl_file *f)
{
	if (f->lang != LANG_PYTHON || !f->m.imports.n)
		return;
	for (size_t i = 0; i < f->m.calls.n; i++) {
		struct fl_call *c = &f->m.calls.v[i];
		c->qname = model_resolve(f, c->callee);
	}
}

int model_func_at(const struct fl_model *m, uint32_t byte)
{
	int best = -1;
	for (size_t i = 0; i < m->funcs.n; i++) {
		const struct fl_func *fn = &m->funcs.v[i];
		if (fn->start <= byte && byte < fn->end &&
		    (best < 0 || fn->start >= m->funcs.v[best].start))
			best = (int)i;
	}
	return best;
}

const char *model_func_name_at(const struct fl_model *m, uint32_t byte)
{
	int i = model_func_at(m, byte);
	return i < 0 ? "" : m->funcs.v[i].qualname;
}
