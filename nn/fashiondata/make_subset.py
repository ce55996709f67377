"""Rebuilds the Fashion-MNIST subset that dbr embeds (nn/fashion.go): the
first 1000 training and the first 200 test examples of Debian's
dataset-fashion-mnist files, as gzipped IDX (gzip mtime 0, so the output is
reproducible). Run from this directory:  /usr/bin/python3 make_subset.py"""
import gzip
import struct

SRC = "/usr/share/datasets/fashion-mnist/"


def cut(name, n):
    data = gzip.open(SRC + name).read()
    nd = data[3]
    dims = list(struct.unpack(">%dI" % nd, data[4:4 + 4 * nd]))
    per = 1
    for d in dims[1:]:
        per *= d
    body = data[4 + 4 * nd:4 + 4 * nd + n * per]
    out = data[:4] + struct.pack(">%dI" % nd, n, *dims[1:]) + body
    with open(name, "wb") as f:
        with gzip.GzipFile(filename="", mode="wb", fileobj=f, compresslevel=9, mtime=0) as g:
            g.write(out)


cut("train-images-idx3-ubyte.gz", 1000)
cut("train-labels-idx1-ubyte.gz", 1000)
cut("t10k-images-idx3-ubyte.gz", 200)
cut("t10k-labels-idx1-ubyte.gz", 200)
