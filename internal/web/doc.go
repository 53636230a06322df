// Package web is Gesher's only HTTP layer: the route table with the permission each route
// needs, middleware (request ids, logging, metrics, recovery, sessions and tokens, CSRF, rate
// limits), the webhook pipeline that orders verify → parse → commit → acknowledge, the JSON
// API under /api/v1 and its OpenAPI document, the live WebSocket, and health and metrics.
//
// Domain packages never import web; web calls them and maps their errors in one place
// (errors.go).
package web
