// SPDX-License-Identifier: GPL-2.0-or-later
/* Intrusive AVL tree: see pcipass/avl.h. */
#include "pcipass/avl.h"

static int height(const struct pp_avl_node *n)
{
	return n ? n->height : 0;
}

static void update(struct pp_avl_node *n)
{
	int hl = height(n->left), hr = height(n->right);

	n->height = 1 + (hl > hr ? hl : hr);
}

static struct pp_avl_node *rotate_right(struct pp_avl_node *n)
{
	struct pp_avl_node *l = n->left;

	n->left = l->right;
	l->right = n;
	update(n);
	update(l);
	return l;
}

static struct pp_avl_node *rotate_left(struct pp_avl_node *n)
{
	struct pp_avl_node *r = n->right;

	n->right = r->left;
	r->left = n;
	update(n);
	update(r);
	return r;
}

/* Restores the AVL property at n after one of its subtrees changed by one. */
static struct pp_avl_node *rebalance(struct pp_avl_node *n)
{
	int bal;

	update(n);
	bal = height(n->left) - height(n->right);
	if (bal > 1) {
		if (height(n->left->left) < height(n->left->right))
			n->left = rotate_left(n->left);
		return rotate_right(n);
	}
	if (bal < -1) {
		if (height(n->right->right) < height(n->right->left))
			n->right = rotate_right(n->right);
		return rotate_left(n);
	}
	return n;
}

static struct pp_avl_node *avl_insert(struct pp_avl_node *root,
				  struct pp_avl_node *n)
{
	if (!root)
		return n;
	if (n->key < root->key)
		root->left = avl_insert(root->left, n);
	else
		root->right = avl_insert(root->right, n);
	return rebalance(root);
}

void pp_avl_insert(struct pp_avl *t, struct pp_avl_node *n)
{
	n->left = n->right = NULL;
	n->height = 1;
	t->root = avl_insert(t->root, n);
	t->count++;
}

/* Detaches the minimum of a non-empty subtree into *min. */
static struct pp_avl_node *remove_min(struct pp_avl_node *root,
				      struct pp_avl_node **min)
{
	if (!root->left) {
		*min = root;
		return root->right;
	}
	root->left = remove_min(root->left, min);
	return rebalance(root);
}

static struct pp_avl_node *avl_remove(struct pp_avl_node *root, uint64_t key,
				  struct pp_avl_node **out)
{
	struct pp_avl_node *succ;

	if (!root)
		return NULL;
	if (key < root->key) {
		root->left = avl_remove(root->left, key, out);
	} else if (key > root->key) {
		root->right = avl_remove(root->right, key, out);
	} else {
		*out = root;
		if (!root->left || !root->right)
			return root->left ? root->left : root->right;
		root->right = remove_min(root->right, &succ);
		succ->left = root->left;
		succ->right = root->right;
		root = succ;
	}
	return rebalance(root);
}

struct pp_avl_node *pp_avl_remove(struct pp_avl *t, uint64_t key)
{
	struct pp_avl_node *out = NULL;

	t->root = avl_remove(t->root, key, &out);
	if (out)
		t->count--;
	return out;
}

struct pp_avl_node *pp_avl_floor(const struct pp_avl *t, uint64_t key)
{
	struct pp_avl_node *n = t->root, *best = NULL;

	while (n) {
		if (n->key == key)
			return n;
		if (n->key < key) {
			best = n;
			n = n->right;
		} else {
			n = n->left;
		}
	}
	return best;
}

struct pp_avl_node *pp_avl_first(const struct pp_avl *t)
{
	struct pp_avl_node *n = t->root;

	while (n && n->left)
		n = n->left;
	return n;
}

static int walk(struct pp_avl_node *n,
		int (*fn)(void *arg, struct pp_avl_node *n), void *arg)
{
	int ret;

	if (!n)
		return 0;
	ret = walk(n->left, fn, arg);
	if (ret)
		return ret;
	/* fn may not modify the tree, so reading right first is not needed */
	ret = fn(arg, n);
	if (ret)
		return ret;
	return walk(n->right, fn, arg);
}

int pp_avl_walk(const struct pp_avl *t,
		int (*fn)(void *arg, struct pp_avl_node *n), void *arg)
{
	return walk(t->root, fn, arg);
}
