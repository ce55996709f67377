package symbols

// Docs maps "pkg.Name" and "pkg.Type.Method" to doc comments, for :doc.
var Docs = map[string]string{}
