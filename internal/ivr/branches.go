package ivr

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Branch is a branch as the visual menu shows it: where it is and how to call it. Branches are
// the branch package's; the menu only reads them.
type Branch struct {
	ID, Name, City, Address, Phone string
}

const sqlBranches = `SELECT id, name, city, address, phone FROM branches ORDER BY city, name`

// Branches lists every branch, by city.
func (s *Service) Branches(ctx context.Context) ([]Branch, error) {
	rows, err := s.db.Query(ctx, sqlBranches)
	if err != nil {
		return nil, fmt.Errorf("ivr: branches: %w", err)
	}
	defer rows.Close()
	var out []Branch
	for rows.Next() {
		var b Branch
		if err := rows.Scan(&b.ID, &b.Name, &b.City, &b.Address, &b.Phone); err != nil {
			return nil, fmt.Errorf("ivr: branches: %w", err)
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

// Place is a city's position, for "the branch nearest to me" without sending the visitor's
// location anywhere: the page compares it with the cities' in the browser.
type Place struct{ Lat, Lon float64 }

// places are Israel's larger towns, by the names branches are entered with (English and
// Hebrew). A branch in a town not listed is still offered by its city; only "use my location"
// cannot pick it.
var places = map[string]Place{
	"tel aviv": {32.0853, 34.7818}, "תל אביב": {32.0853, 34.7818}, "jerusalem": {31.7683, 35.2137}, "ירושלים": {31.7683, 35.2137},
	"haifa": {32.7940, 34.9896}, "חיפה": {32.7940, 34.9896}, "beersheba": {31.2520, 34.7915}, "באר שבע": {31.2520, 34.7915},
	"rishon lezion": {31.9730, 34.7925}, "ראשון לציון": {31.9730, 34.7925}, "petah tikva": {32.0840, 34.8878}, "פתח תקווה": {32.0840, 34.8878},
	"ashdod": {31.8014, 34.6435}, "אשדוד": {31.8014, 34.6435}, "netanya": {32.3215, 34.8532}, "נתניה": {32.3215, 34.8532},
	"nazareth": {32.6996, 35.3035}, "נצרת": {32.6996, 35.3035}, "eilat": {29.5577, 34.9519}, "אילת": {29.5577, 34.9519},
	"tiberias": {32.7959, 35.5310}, "טבריה": {32.7959, 35.5310}, "holon": {32.0158, 34.7874}, "חולון": {32.0158, 34.7874},
	"bnei brak": {32.0807, 34.8338}, "בני ברק": {32.0807, 34.8338}, "umm al-fahm": {32.5194, 35.1536}, "אום אל-פחם": {32.5194, 35.1536},
	"rahat": {31.3925, 34.7544}, "רהט": {31.3925, 34.7544}, "karmiel": {32.9190, 35.2901}, "כרמיאל": {32.9190, 35.2901},
}

// PlaceOf is the position of a city, when it is known.
func PlaceOf(city string) (Place, bool) {
	p, ok := places[strings.ToLower(strings.TrimSpace(city))]
	return p, ok
}

// Distance is the great-circle distance between two places, in kilometres.
func Distance(a, b Place) float64 {
	const r = 6371.0
	rad := math.Pi / 180
	dLat, dLon := (b.Lat-a.Lat)*rad, (b.Lon-a.Lon)*rad
	h := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(a.Lat*rad)*math.Cos(b.Lat*rad)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * r * math.Asin(math.Sqrt(h))
}

// NearestCity is the city, among the branches', closest to p; ok is false when no branch's
// city has a known position.
func NearestCity(branches []Branch, p Place) (city string, ok bool) {
	best := math.Inf(1)
	for _, b := range branches {
		if bp, known := PlaceOf(b.City); known {
			if d := Distance(p, bp); d < best {
				best, city, ok = d, b.City, true
			}
		}
	}
	return city, ok
}

// ParsePlace reads "lat,lon" as the page sends it; ok is false for anything else, or a place
// off the globe.
func ParsePlace(s string) (Place, bool) {
	lat, lon, found := strings.Cut(s, ",")
	if !found || len(s) > 40 {
		return Place{}, false
	}
	var p Place
	var err1, err2 error
	p.Lat, err1 = strconv.ParseFloat(strings.TrimSpace(lat), 64)
	p.Lon, err2 = strconv.ParseFloat(strings.TrimSpace(lon), 64)
	if err1 != nil || err2 != nil {
		return Place{}, false
	}
	if math.IsNaN(p.Lat) || math.IsNaN(p.Lon) || p.Lat < -90 || p.Lat > 90 || p.Lon < -180 || p.Lon > 180 {
		return Place{}, false
	}
	return p, true
}
