//! Figures over repeated runs: the median and the range, and the ratio of two programs as the
//! median of the ratios of the runs made one after the other (A B A B ...), so that a slow moment
//! of the machine weighs on both sides of a pair.

/// The median and the range of a figure over runs.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Spread {
    /// The median (the mean of the two middle values for an even count).
    pub median: f64,
    /// The smallest value.
    pub min: f64,
    /// The largest value.
    pub max: f64,
    /// How many values.
    pub count: usize,
}

impl Spread {
    /// The spread of `values` (all zero when there are none).
    pub fn of(values: impl IntoIterator<Item = f64>) -> Self {
        let mut v: Vec<f64> = values.into_iter().filter(|x| x.is_finite()).collect();
        v.sort_by(f64::total_cmp);
        let Some((&min, &max)) = v.first().zip(v.last()) else {
            return Self::default();
        };
        Self {
            median: median_of_sorted(&v),
            min,
            max,
            count: v.len(),
        }
    }

    /// `median (min–max)` with `decimals` decimals; the median alone for one value.
    pub fn show(&self, decimals: usize) -> String {
        if self.count <= 1 {
            return format!("{:.decimals$}", self.median);
        }
        format!(
            "{:.decimals$} ({:.decimals$}–{:.decimals$})",
            self.median, self.min, self.max
        )
    }
}

fn median_of_sorted(v: &[f64]) -> f64 {
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// The median of the per-pair ratios `a[i] / b[i]` (pairs where `b[i]` is not positive left out);
/// `None` without a pair.
pub fn median_ratio(a: &[f64], b: &[f64]) -> Option<f64> {
    let ratios = a
        .iter()
        .zip(b)
        .filter(|(_, d)| **d > 0.0)
        .map(|(n, d)| n / d);
    let spread = Spread::of(ratios);
    (spread.count > 0).then_some(spread.median)
}
