#!/bin/sh
# No source file over 800 lines, no function over 120 lines (issue 12,
# HELPERS.md): list every one that is, and fail if there is any.
#
# A function is counted from its definition line (column 0, a name and
# '(', not ending in ';') through the next '}' at column 0, both included.
top=${top_srcdir:-.}
cd "$top" || exit 99
max_file=800
max_func=120

dirs=
for d in engine alsa-plugin dsp entitlement-policy include tests yaml; do
	[ -d "$d" ] && dirs="$dirs $d"
done

files=$(find $dirs \( -name '_build*' -o -name 'build*' -o -name '.deps' \
	-o -name '.libs' -o -name 'corpus-*' \) -prune -o \
	-type f -name '*.[ch]' -print | LC_ALL=C sort)

bad=0
for f in $files; do
	# generated files say so in their first lines
	head -n 3 "$f" | grep -qi 'generated' && continue
	n=$(wc -l < "$f")
	if [ "$n" -gt "$max_file" ]; then
		echo "$f: $n lines (max $max_file)"
		bad=1
	fi
	awk -v f="$f" -v max="$max_func" '
	# a definition: column 0, a name and "(", not ending in ";"
	state == 0 && /^[A-Za-z_].*\(/ && !/;[ \t]*$/ {
		name = $0
		sub(/\(.*/, "", name)
		sub(/.*[ \t*]/, "", name)
		if (name == "") next
		start = NR; fname = name; state = 1
		if (/\{[ \t]*$/) state = 2
		next
	}
	# still in the declarator: a ";" makes it a prototype after all
	state == 1 && /^\{/ { state = 2; next }
	state == 1 && /;[ \t]*$/ { state = 0; next }
	state == 1 && /\{[ \t]*$/ { state = 2; next }
	state == 2 && /^}/ {
		len = NR - start + 1
		if (len > max) {
			printf "%s:%d: function %s is %d lines (max %d)\n", \
				f, start, fname, len, max
			bad = 1
		}
		state = 0
	}
	END { exit bad }' "$f" || bad=1
done
if [ "$bad" = 0 ]; then
	echo "ok: no file over $max_file lines, no function over $max_func lines"
	exit 0
fi
echo "FAIL: split the files or functions above"
exit 1
