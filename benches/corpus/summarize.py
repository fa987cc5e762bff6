#!/usr/bin/env python3
"""Summarise a harness run: per operation, the count of each status; with a
second argument, every failure."""
import json,collections,sys
f=sys.argv[1]
c=collections.defaultdict(collections.Counter)
bad=[]
for l in open(f):
    r=json.loads(l); c[r['op']][r['status']]+=1
    if r['status'] not in ('ok','unchanged','refused'): bad.append(r)
for op,cc in c.items(): print(f"{op:28s} {dict(cc)}")
if len(sys.argv)>2:
    for r in bad: print('---',r['flake'],r['op'],r.get('args'),r['status'],r['detail'][:700])
