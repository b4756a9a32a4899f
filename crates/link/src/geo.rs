//! Distances on the earth and the grid of cells that blocks candidates by place.

/// A point, in degrees (WGS 84).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    /// Latitude.
    pub lat: f64,
    /// Longitude.
    pub lon: f64,
}

/// The mean radius of the WGS84 ellipsoid, in metres: the sphere the distances are measured on.
pub const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// The size of a grid cell in degrees of latitude: about 1 km.
const CELL_LAT: f64 = 0.009;
/// The size of a grid cell in degrees of longitude: about 1 km at 51° north, the middle of
/// Germany (0.6 km at 67°, 1.2 km at 35°, still a few cells around any point).
const CELL_LON: f64 = 0.0143;

impl Point {
    /// A point, if both coordinates are on the earth.
    pub fn new(lat: f64, lon: f64) -> Option<Self> {
        ((-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon))
            .then_some(Self { lat, lon })
    }

    /// The great-circle distance to `other`, in metres (haversine).
    pub fn distance(self, other: Self) -> f64 {
        let (p1, p2) = (self.lat.to_radians(), other.lat.to_radians());
        let dp = p2 - p1;
        let dl = (other.lon - self.lon).to_radians();
        let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
        // Rounding can put `a` a hair above 1 for antipodal points.
        2.0 * EARTH_RADIUS_M * a.sqrt().min(1.0).asin()
    }

    /// The grid cell the point is in.
    pub fn cell(self) -> (i32, i32) {
        // The casts saturate; coordinates are bounded, so the cells are too.
        #[expect(
            clippy::cast_possible_truncation,
            reason = "bounded by the earth's size"
        )]
        (
            (self.lat / CELL_LAT).floor() as i32,
            (self.lon / CELL_LON).floor() as i32,
        )
    }

    /// The cell of the point and its eight neighbours: every point within about 1 km is in one.
    pub fn cells_around(self) -> impl Iterator<Item = (i32, i32)> {
        let (a, b) = self.cell();
        (-1..=1).flat_map(move |i| (-1..=1).map(move |j| (a + i, b + j)))
    }

    /// Reads a WKT `POINT(lon lat)`.
    pub fn from_wkt(wkt: &str) -> Option<Self> {
        let inner = wkt.trim().strip_prefix("POINT")?.trim();
        let inner = inner.strip_prefix('(')?.strip_suffix(')')?;
        let mut parts = inner.split_whitespace();
        let lon = parts.next()?.parse().ok()?;
        let lat = parts.next()?.parse().ok()?;
        Self::new(lat, lon)
    }
}

#[cfg(test)]
mod tests {
    use super::Point;

    #[test]
    fn haversine_distances() {
        // Berlin Hauptbahnhof to the Brandenburg Gate: about 1.4 km.
        let hbf = Point::new(52.5251, 13.3694).unwrap();
        let gate = Point::new(52.5163, 13.3777).unwrap();
        let d = hbf.distance(gate);
        assert!((1_100.0..1_200.0).contains(&d), "{d}");
        assert!(hbf.distance(hbf) < 1e-6);
    }

    #[test]
    fn points_within_a_kilometre_share_a_cell_around() {
        let a = Point::new(52.4887, 13.5255).unwrap();
        let b = Point::new(52.4930, 13.5330).unwrap();
        assert!(a.distance(b) < 1_000.0);
        assert!(a.cells_around().any(|c| c == b.cell()));
        let far = Point::new(51.34, 12.37).unwrap();
        assert!(!a.cells_around().any(|c| c == far.cell()));
    }

    #[test]
    fn wkt_points() {
        assert_eq!(
            Point::from_wkt("POINT(11.159703 50.8790935)"),
            Point::new(50.8790935, 11.159703)
        );
        assert_eq!(Point::from_wkt("LINESTRING(1 2, 3 4)"), None);
        assert_eq!(Point::new(91.0, 0.0), None);
    }
}
