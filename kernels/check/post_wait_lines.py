#!/usr/bin/env python3
"""Where a kernel's instructions go after its PDL wait: executed warp instructions per source line (s22, NOTES-forward v56).

At 16 tokens the small kernels are latency chains whose cost after griddepcontrol.wait (SASS: ACQBULK) is mostly
instruction issue; this joins ncu's executed-instruction counts per SASS instruction with nvdisasm's line info and
prints, for the instructions at or after the kernel's most executed ACQBULK in address order (the main path's wait; an
early-exit path's wait may come first and never run), the source lines and opcodes that issue most. Address order is
not execution order, so "after" is approximate where the compiler lays code out of order.

Inputs, made on the GPU host in the call that profiles (the same cubin that ran):
  ncu --kernel-name K ... --section SourceCounters --import-source yes -o REP <app>
  ncu --import REP.ncu-rep [--launch-skip I --launch-count 1] --page source --csv --print-source sass > K.csv
  nvdisasm -g -c prefill.cubin > all-lineinfo.sass          (or cuobjdump -xelf the fatbin's sm_90a cubin first)
Usage: post_wait_lines.py K.csv all-lineinfo.sass KERNEL [--rev GIT_REV] [--top 30]
The source text printed beside each line comes from the sources the cubin was built from: --rev reads them from that
commit (git show REV:kernels/src/FILE); without it, from the working tree's kernels/src.
"""
import argparse, collections, csv, os, re, subprocess, sys


def executed_counts(path):
    """Per SASS instruction (address order): (text, executed warp instructions), from ncu's source page CSV."""
    rows = list(csv.reader(open(path)))
    head = next(i for i, r in enumerate(rows) if r and r[0] == 'Address')
    ix = {k: i for i, k in enumerate(rows[head])}
    out = []
    for r in rows[head + 1:]:
        if len(r) <= ix['Instructions Executed']:
            continue
        out.append((r[ix['Source']].strip(), int(r[ix['Instructions Executed']] or 0)))
    return out


def line_info(path, kernel):
    """Per SASS instruction of .text.KERNEL (address order): ((file, line), text), from `nvdisasm -g` output."""
    out, cur, inside = [], None, False
    for l in open(path):
        if l.startswith('.text.'):
            if inside:
                break
            inside = l.strip() == '.text.%s:' % kernel
            continue
        if not inside:
            continue
        m = re.match(r'\s*//## File "(.*)", line (\d+)', l)
        if m:
            cur = (os.path.basename(m.group(1)), int(m.group(2)))
            continue
        m = re.match(r'\s*/\*([0-9a-f]{4,})\*/\s+(.*?)\s*;', l)
        if m:
            out.append((cur, m.group(2)))
    return out


def source(name, rev):
    """Lines of kernels/src/NAME at REV (the working tree without one); [] for headers outside the repository."""
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..')
    if rev:
        r = subprocess.run(['git', '-C', root, 'show', '%s:kernels/src/%s' % (rev, name)], capture_output=True, text=True)
        return r.stdout.split('\n') if r.returncode == 0 else []
    p = os.path.join(root, 'kernels', 'src', name)
    return open(p).read().split('\n') if os.path.exists(p) else []


def opcode(text):
    t = text.split()
    op = t[1] if t and t[0].startswith('@') and len(t) > 1 else (t[0] if t else '')
    return op.split('.')[0]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('csv'); ap.add_argument('sass'); ap.add_argument('kernel')
    ap.add_argument('--rev', help='the commit the cubin was built from (source text of the printed lines)')
    ap.add_argument('--top', type=int, default=30)
    a = ap.parse_args()
    ex, li = executed_counts(a.csv), line_info(a.sass, a.kernel)
    if len(ex) != len(li):
        sys.exit('%s: %d instructions in the ncu CSV, %d in the line info: not the same cubin' % (a.kernel, len(ex), len(li)))
    for k, ((_, t1), (t2, _)) in enumerate(zip(li, ex)):
        if opcode(t1) != opcode(t2):
            sys.exit('instruction %d: %r (line info) vs %r (ncu): not the same cubin' % (k, t1, t2))
    n = [c for _, c in ex]
    # The wait that ran: an early-exit path's own wait (the streaming GEMMs' `bn >= n` blocks) may come first in
    # address order and never execute; the most executed ACQBULK is the main path's (the first of equals).
    waits = [k for k, (_, t) in enumerate(li) if opcode(t) == 'ACQBULK']
    w = max(waits, key=lambda k: (n[k], -k)) if waits else 0
    print('%s: %d SASS instructions, %d warp instructions executed, %d before the ACQBULK at %d (%d of %d; %d warps '
          'passed it), %d at or after it' % (a.kernel, len(n), sum(n), sum(n[:w]), w, waits.index(w) + 1 if waits else 0,
                                            len(waits), n[w] if waits else 0, sum(n[w:])))
    lines, ops = collections.Counter(), collections.Counter()
    for k in range(w, len(n)):
        lines[li[k][0]] += n[k]
        ops[opcode(li[k][1])] += n[k]
    text = {}
    for (f, l), c in lines.most_common(a.top):
        if f and f not in text:
            text[f] = source(f, a.rev)
        src = text.get(f, [])
        print('%8d  %-22s %5s  %s' % (c, f, l, src[l - 1].strip()[:100] if f and 0 < l <= len(src) else ''))
    print('opcodes after the wait: ' + ', '.join('%s %d' % o for o in ops.most_common(14)))


if __name__ == '__main__':
    main()
