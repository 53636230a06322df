//go:build !noui

package web

import (
	"embed"
	"io/fs"
)

// dist holds the built front ends (dist/console, later dist/widget). "all:" keeps the
// committed dist/.gitkeep, so a clean checkout without a build still compiles; the console
// handler then answers "console not built".
//
//go:embed all:dist
var dist embed.FS

// consoleFiles returns the console's built files, rooted at its index.html.
func consoleFiles() fs.FS {
	sub, err := fs.Sub(dist, "dist/console")
	if err != nil {
		return nil
	}
	return sub
}

// widgetFiles returns the chat widget's built files (widget.js), or nil before a build.
func widgetFiles() fs.FS {
	sub, err := fs.Sub(dist, "dist/widget")
	if err != nil {
		return nil
	}
	return sub
}
