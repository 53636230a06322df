package bus

// channelName is the NOTIFY channel every node listens on. LISTEN/NOTIFY is scoped to one
// database, so nodes of different Gesher installations on one server never hear each other.
const channelName = "gesher_events"

const (
	sqlListen = `LISTEN ` + channelName

	sqlNotify = `SELECT pg_notify('` + channelName + `', $1)`
)
