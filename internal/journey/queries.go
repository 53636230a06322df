package journey

const sqlChannelKinds = `SELECT id, kind FROM channels`
