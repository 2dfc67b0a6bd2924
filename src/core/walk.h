/*
 * walk.h - the one traversal of a file's tree.
 *
 * walk_file() visits every node once, iteratively (trees can be 10,000
 * levels deep), builds the model as it goes and calls the hooks of the
 * enabled checks registered for each node kind, after the model has seen
 * the node.  It stops early, with f->timed_out set, when the file's time
 * limit passes.
 */
#ifndef FL_WALK_H
#define FL_WALK_H

#include "file.h"

struct fl_hookset;

/* Build the per-language dispatch tables for the enabled checks. */
struct fl_hookset *hookset_new(const struct fl_options *opt);
void hookset_free(struct fl_hookset *hs);

void walk_file(struct fl_file *f, const struct fl_hookset *hs);

#endif
