# SPDX-License-Identifier: GPL-2.0-or-later
# testbed/lib/patch-series.sh: quilt-style patch series (sourced).
#
# A series directory holds patch files and a file named "series" listing them
# in the order they apply, one per line: "NAME [-pN]" (default -p1).  Blank
# lines and lines starting with '#' are ignored.  Used for qemu/patches/ and
# by the testbed self-test on a dummy tree.

# pp_series_list DIR -> "name strip" lines
pp_series_list() {
	local dir=$1 line name strip extra
	[ -f "$dir/series" ] || return 0
	while IFS= read -r line || [ -n "$line" ]; do
		line=${line%%#*}
		# shellcheck disable=SC2086
		set -- $line
		[ $# -gt 0 ] || continue
		name=$1 strip=${2:--p1} extra=${3:-}
		case $strip in -p[0-9]) ;; *) pp_die "$dir/series: bad strip option '$strip' for $name" ;; esac
		[ -z "$extra" ] || pp_die "$dir/series: unexpected '$extra' after $name"
		echo "$name ${strip#-p}"
	done <"$dir/series"
}

# pp_series_key_text DIR -> text identifying the series content exactly
pp_series_key_text() {
	local dir=$1 name strip
	echo "series:"
	[ -f "$dir/series" ] && pp_sha256 "$dir/series"
	while read -r name strip; do
		[ -f "$dir/$name" ] || pp_die "$dir/series lists '$name', which does not exist"
		pp_sha256 "$dir/$name"
	done < <(pp_series_list "$dir")
}

# pp_series_apply DIR TREE: apply every patch of the series to TREE, in order.
# Each patch is dry-run first, so a patch that fails leaves TREE as the
# previous patches left it, and the error names the failing patch.
pp_series_apply() {
	local dir=$1 tree=$2 name strip out n=0 unlisted f
	while read -r name strip; do
		[ -f "$dir/$name" ] || pp_die "$dir/series lists '$name', which does not exist"
		if ! out=$(patch -d "$tree" -p"$strip" --forward --batch --dry-run \
			--no-backup-if-mismatch -i "$dir/$name" 2>&1); then
			printf '%s\n' "$out" | sed 's/^/    /' >&2
			pp_die "patch $name (${dir#"$PP_REPO"/}/$name) does not apply; rebase it onto the current tree (see the patch output above)"
		fi
		patch -d "$tree" -p"$strip" --forward --batch --no-backup-if-mismatch \
			-i "$dir/$name" >/dev/null ||
			pp_die "patch $name (${dir#"$PP_REPO"/}/$name) failed to apply after a clean dry run"
		n=$((n + 1))
	done < <(pp_series_list "$dir")
	# A patch file not listed in the series is almost always a mistake.
	for f in "$dir"/*.patch "$dir"/*.diff; do
		[ -e "$f" ] || continue
		if ! pp_series_list "$dir" | cut -d' ' -f1 | grep -qxF "$(basename "$f")"; then
			pp_warn "${f#"$PP_REPO"/} is not listed in ${dir#"$PP_REPO"/}/series and was not applied"
		fi
	done
	pp_log "applied $n patch(es) from ${dir#"$PP_REPO"/}/series"
}
