package symbols

// Docs maps "pkg.Name" and "pkg.Type.Method" to the declaration and doc
// comment of dbr's exported API, for dbr-repl's :doc. docs_gen.go fills it.
var Docs map[string]string
