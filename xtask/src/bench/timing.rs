//! Medians and the figures made of them: a [`Timing`] of several runs, and a [`Figure`] that
//! is either a value or the reason there is none (a peer that could not run).

use serde_json::{Value, json};

#[derive(Debug, Clone)]
pub(super) struct Timing {
    pub(super) median: f64,
    pub(super) min: f64,
    pub(super) max: f64,
    pub(super) runs: usize,
}

impl Timing {
    pub(super) fn of(samples: &[f64]) -> Timing {
        Timing {
            median: median(samples),
            min: samples.iter().copied().fold(f64::INFINITY, f64::min),
            max: samples.iter().copied().fold(0.0, f64::max),
            runs: samples.len(),
        }
    }

    pub(super) fn to_json(&self) -> Value {
        json!({"median_seconds": self.median, "min_seconds": self.min, "max_seconds": self.max, "runs": self.runs})
    }
}

/// A figure, or why there is none.
pub(super) type Figure<T> = std::result::Result<T, String>;

pub(super) fn figure_json<T: Clone + Into<Value>>(f: &Figure<T>) -> Value {
    match f {
        Ok(v) => v.clone().into(),
        Err(_) => Value::Null,
    }
}

pub(super) fn reason_json<T>(f: &Figure<T>) -> Value {
    match f {
        Ok(_) => Value::Null,
        Err(reason) => json!(reason),
    }
}

/// The median of `samples` (NaN when there are none).
pub(super) fn median(samples: &[f64]) -> f64 {
    let mut v = samples.to_vec();
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_odd_and_even_counts() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), 2.5);
        assert!(median(&[]).is_nan());
    }
}
