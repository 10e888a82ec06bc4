#!/usr/bin/env python3
"""include_order.py [--fix] SRC_DIR: checks that every .c file under SRC_DIR/src
puts its includes in the order of docs/architecture.md ("Conventions"): its own
internal header (NAME.h, NAME_impl.h or PREFIX_impl.h, else its folder's
shared one: SHARED below), the other internal headers by layer from the bottom and by
name, the public <greenmine/...>, the libraries', the C and POSIX headers; a
blank line between the groups, feature macros before all. Exit 1 (and the
files named) when one does not; --fix rewrites them."""
import os, re, sys

LAYERS = ["core", "analysis", "io", "out", "registry", "run", "server", "cli"]
SYSTEM = set("""assert.h complex.h ctype.h errno.h fenv.h float.h inttypes.h iso646.h limits.h
locale.h math.h setjmp.h signal.h stdalign.h stdarg.h stdatomic.h stdbool.h stddef.h stdint.h
stdio.h stdlib.h stdnoreturn.h string.h tgmath.h threads.h time.h uchar.h wchar.h wctype.h
aio.h arpa/inet.h cpio.h dirent.h dlfcn.h fcntl.h fmtmsg.h fnmatch.h ftw.h getopt.h glob.h
grp.h iconv.h langinfo.h libgen.h malloc.h monetary.h mqueue.h ndbm.h net/if.h netdb.h
netinet/in.h netinet/tcp.h nl_types.h poll.h pthread.h pwd.h regex.h sched.h search.h
semaphore.h spawn.h strings.h syslog.h tar.h termios.h ulimit.h unistd.h utime.h utmpx.h
wordexp.h""".split())
# a folder's shared header, the own header of a file that has none of its name
SHARED = ["analysis/stages.h", "cli/cli.h", "server/server_impl.h", "registry/registry_impl.h"]
INC = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')

def group(path, inc, quote, own):
    if quote == '"':
        if inc == own:
            return (0, 0, inc)
        top = inc.split("/")[0]
        return (1, LAYERS.index(top) if top in LAYERS else len(LAYERS), inc)
    if inc.startswith("greenmine/"):
        return (2, 0, inc)
    if inc in SYSTEM or inc.startswith("sys/"):
        return (4, 0, inc)
    return (3, 0, inc)

def units(lines):
    """The include block: (start, end, units, feature macros) or None when it
    holds something this script does not move."""
    first = next((i for i, l in enumerate(lines) if INC.match(l)), None)
    if first is None:
        return None
    i, out, feats, last = first, [], [], first
    # feature macros written after the first include
    while i < len(lines):
        l = lines[i]
        if INC.match(l):
            out.append([l]); last = i; i += 1
        elif re.match(r"\s*#\s*if", l):  # a conditional include: one unit
            j = i
            while j < len(lines) and not re.match(r"\s*#\s*endif", lines[j]):
                j += 1
            body = lines[i:j + 1]
            if not all(INC.match(b) or re.match(r"\s*#\s*(if|else|elif|endif)", b) for b in body):
                break
            out.append(body); last = j; i = j + 1
        elif re.match(r"\s*#\s*define\s+_\w*_SOURCE", l):
            feats.append(l); last = i; i += 1
        elif l.strip() == "":
            i += 1
        else:
            break
    return first, last + 1, out, feats

def canonical(path, lines):
    u = units(lines)
    if not u:
        return lines
    start, end, block, feats = u
    # its own header: the one of its name, else the folder's shared header it
    # names first (analysis/stages.h, cli/cli.h)
    stem = os.path.splitext(os.path.basename(path))[0]
    layer = os.path.basename(os.path.dirname(path))
    names = [INC.match(l).group(2) for unit in block for l in unit if INC.match(l)]
    own = next((h for h in (f"{layer}/{stem}.h", f"{layer}/{stem}_impl.h") if h in names), None)
    if not own:  # draw_file.c, draw_roster.c: draw_impl.h
        own = next((h for h in names if h.startswith(layer + "/") and h.endswith("_impl.h")
                    and stem.startswith(h[len(layer) + 1:-len("_impl.h")])), None)
    if not own:
        own = next((h for h in SHARED if h in names), None)
    def key(unit):
        m = next(INC.match(l) for l in unit if INC.match(l))
        return group(path, m.group(2), m.group(1), own)
    block.sort(key=key)
    new, prev = [], None
    for unit in block:
        g = key(unit)[0]
        if prev is not None and g != prev:
            new.append("")
        new.extend(unit); prev = g
    head = lines[:start]
    if feats:  # feature macros before all includes
        head = [l for l in head] + feats + [""]
    return head + new + lines[end:]

def main():
    fix = "--fix" in sys.argv
    root = [a for a in sys.argv[1:] if a != "--fix"][0]
    bad = []
    for d, _, files in os.walk(os.path.join(root, "src")):
        for f in sorted(files):
            if not f.endswith(".c"):
                continue
            p = os.path.join(d, f)
            lines = open(p, encoding="utf-8").read().split("\n")
            new = canonical(os.path.relpath(p, root), lines)
            if new != lines:
                bad.append(os.path.relpath(p, root))
                if fix:
                    open(p, "w", encoding="utf-8").write("\n".join(new))
    for b in bad:
        print(("fixed: " if fix else "include order: ") + b)
    return 0 if fix or not bad else 1

sys.exit(main())
