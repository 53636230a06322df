//go:build noui

package web

import "io/fs"

// consoleFiles is empty in a backend-only build (-tags noui): no Node needed, and /app/ says
// the console was not built.
func consoleFiles() fs.FS { return nil }

// widgetFiles is empty in a backend-only build: /widget.js says the widget was not built.
func widgetFiles() fs.FS { return nil }
