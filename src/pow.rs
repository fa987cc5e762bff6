//! The C library's `pow`, defined here so the executable does not load
//! `libm.so` at every start.
//!
//! The only function of the C math library the whole program calls is
//! `pow` (the progress bar's rate estimate, through `f64::powf`); loading
//! that library cost every command, from `--version` on, about as much as
//! reading and parsing a small flake. With `pow` defined in the
//! executable, the linker resolves the call here and drops the library
//! (it links with `--as-needed`). The definition is the `libm` crate's,
//! a port of musl's `pow`, accurate to within one unit in the last place.

/// `pow(x, y)`, as C's `<math.h>` declares it.
#[no_mangle]
pub extern "C" fn pow(x: f64, y: f64) -> f64 {
    libm::pow(x, y)
}

#[cfg(test)]
mod tests {
    /// Values the progress bar's estimate takes, against constants (in
    /// this binary `f64::powf` itself calls the `pow` above), and C's
    /// special cases.
    #[test]
    fn pow_gives_the_correctly_rounded_values() {
        let cases = [
            (0.5, 0.1, 0.9330329915368074),
            (1.5, 0.25, 1.1066819197003215),
            (0.9, 7.3, 0.46341524735355144),
            (0.5, 3.0, 0.125),
            (2.0, 10.0, 1024.0),
        ];
        for (x, y, expected) in cases {
            let ours = super::pow(x, y);
            assert!(
                (ours - expected).abs() <= f64::EPSILON * expected,
                "{x}^{y}: {ours}, not {expected}"
            );
        }
        assert_eq!(super::pow(0.0, 0.0), 1.0);
        assert!(super::pow(-1.0, 0.5).is_nan());
        assert_eq!(super::pow(f64::INFINITY, -1.0), 0.0);
    }
}
