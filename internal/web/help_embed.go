package web

import "embed"

// helpFiles holds the help centre's templates, catalogs and static assets. They are part of
// every build (noui included): the customer pages need no Node.
//
//go:embed templates/help static
var helpFiles embed.FS
