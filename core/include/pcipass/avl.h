/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Intrusive AVL tree keyed by unique u64 values.  Freestanding (compiled
 * into the guest module), no allocation: callers embed struct pp_avl_node.
 * Depth is at most about 1.44 log2(n), so the recursive helpers stay shallow
 * (under 30 frames for a million nodes).
 */
#ifndef PCIPASS_AVL_H
#define PCIPASS_AVL_H

#include "types.h"

struct pp_avl_node {
	struct pp_avl_node *left, *right;
	uint64_t key;
	int height;
};

struct pp_avl {
	struct pp_avl_node *root;
	unsigned long count;
};

/* Inserts n (n->key set by the caller, not present yet). */
void pp_avl_insert(struct pp_avl *t, struct pp_avl_node *n);
/* Removes the node with this key; returns it, or NULL if absent. */
struct pp_avl_node *pp_avl_remove(struct pp_avl *t, uint64_t key);
/* The node with the greatest key <= key, or NULL. */
struct pp_avl_node *pp_avl_floor(const struct pp_avl *t, uint64_t key);
/* Smallest node (for draining a tree), or NULL. */
struct pp_avl_node *pp_avl_first(const struct pp_avl *t);
/* In-order walk; stops when fn returns nonzero, and returns that value. */
int pp_avl_walk(const struct pp_avl *t,
		int (*fn)(void *arg, struct pp_avl_node *n), void *arg);

#define pp_container_of(ptr, type, member) \
	((type *)(void *)((char *)(ptr) - offsetof(type, member)))

#endif
