//! Solver parameters: the technique switches, the preordering heuristics,
//! threads, seed, determinism and the time limit, each checked by the
//! library's one rule for it (`minimalloc::params`), as every front end is.
//!
//! The switches are named and numbered from the library's one table
//! ([`Switch::ALL`], [`Switch::name`]): `mm_params_set_switch` takes the
//! reference's name (`"canonical_only"`), `mm_params_set_switch_id` an
//! [`MmSwitch`], whose numbering a test holds to the table's order.

use std::ffi::{c_char, CString};
use std::sync::OnceLock;

use minimalloc::config::set_tunable;
use minimalloc::params::{check_threads, parse_heuristics, time_limit};
use minimalloc::tunables::{LnsTunables, MinimizeTunables, PortfolioTunables};
use minimalloc::{SolveOptions, SolverParams, Switch};

use crate::status::{borrow, borrow_mut, guard, guard_value, put, utf8, Error, MmStatus};

/// Parameters of a solve. Opaque; create with `mm_params_new` (the
/// reference's defaults: every switch on, heuristics "WAT,TAW,TWA", one
/// thread per core, seed 0, no time limit), free with `mm_params_free`.
pub struct MmParams {
    pub(crate) inner: SolverParams,
    /// The tunables (`mm_params_set_tunable`): the portfolio's, the large
    /// path's and the minimization's.
    pub(crate) tunables: (PortfolioTunables, LnsTunables, MinimizeTunables),
}

impl MmParams {
    /// The options a solver made from these parameters runs with.
    pub(crate) fn options(&self) -> SolveOptions {
        let (tunables, lns, minimize) = self.tunables.clone();
        SolveOptions { tunables, lns, minimize, ..SolveOptions::from_params(&self.inner) }
    }
}

/// The technique switches (the reference's nine, then this library's own),
/// numbered as the library's table orders them
/// (`mm_switch_name(MM_SWITCH_CANONICAL_ONLY)` is "canonical_only").
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MmSwitch {
    /// Only explore canonical solutions.
    MM_SWITCH_CANONICAL_ONLY = 0,
    /// Prune when a section's floor plus its unplaced sizes exceeds the capacity.
    MM_SWITCH_SECTION_INFERENCE = 1,
    /// Try buffers by lowest feasible offset first.
    MM_SWITCH_DYNAMIC_ORDERING = 2,
    /// Prune placements that leave gaps an unplaced buffer fits in.
    MM_SWITCH_CHECK_DOMINANCE = 3,
    /// Raise section floors to the lowest offset unplaced buffers can take.
    MM_SWITCH_UNALLOCATED_FLOOR = 4,
    /// Sort buffers by the preordering heuristic before searching.
    MM_SWITCH_STATIC_PREORDERING = 5,
    /// Split partitions that placed buffers cut apart.
    MM_SWITCH_DYNAMIC_DECOMPOSITION = 6,
    /// Require the solution floor to rise monotonically.
    MM_SWITCH_MONOTONIC_FLOOR = 7,
    /// Prune alternatives when a placed buffer has nothing overhead.
    MM_SWITCH_HATLESS_PRUNING = 8,
    /// Fill the lowest point of a section with no spare room first (not in
    /// the reference; off by default).
    MM_SWITCH_POINT_FILLING = 9,
    /// Place identical buffers (same lifespan, size and alignment) in
    /// preorder only (not in the reference; off by default).
    MM_SWITCH_IDENTICAL_ORDER = 10,
    /// Learn from failed nodes and prune states at least as constrained
    /// (not in the reference; off by default).
    MM_SWITCH_FAILURE_LEARNING = 11,
    /// How many switches there are (not a switch).
    MM_SWITCH_COUNT = 12,
}

/// The switch numbered `which` in the library's table.
fn switch(which: u32) -> Result<Switch, Error> {
    usize::try_from(which).ok().and_then(|i| Switch::ALL.get(i).copied()).ok_or_else(|| {
        Error::Params(format!(
            "no switch numbered {which} (there are {}: 0 to {})",
            Switch::ALL.len(),
            Switch::ALL.len() - 1
        ))
    })
}

/// The switch called `name`, or an error listing the names.
fn switch_named(name: &str) -> Result<Switch, Error> {
    Switch::from_name(name).ok_or_else(|| {
        let names: Vec<&str> = Switch::ALL.iter().map(|s| s.name()).collect();
        Error::Params(format!("no switch named '{}' (switches: {})", name.escape_debug(), names.join(", ")))
    })
}

/// The switches' names as C strings, made once from the table.
fn switch_names() -> &'static [CString] {
    static NAMES: OnceLock<Vec<CString>> = OnceLock::new();
    NAMES.get_or_init(|| Switch::ALL.iter().map(|s| CString::new(s.name()).unwrap_or_default()).collect())
}

/// How many technique switches there are (`MM_SWITCH_COUNT`): the
/// reference's nine, then this library's own, as `MmSwitch` numbers them.
#[no_mangle]
pub extern "C" fn mm_switch_count() -> u32 {
    Switch::ALL.len() as u32
}

/// The reference's name of switch `which` (an `MmSwitch`), such as
/// "canonical_only"; NULL past the last. Static storage.
#[no_mangle]
pub extern "C" fn mm_switch_name(which: u32) -> *const c_char {
    guard_value(std::ptr::null(), || {
        usize::try_from(which).ok().and_then(|i| switch_names().get(i)).map_or(std::ptr::null(), |s| s.as_ptr())
    })
}

/// New parameters with the reference's defaults. Free with
/// `mm_params_free`. NULL only if the library failed internally.
#[no_mangle]
pub extern "C" fn mm_params_new() -> *mut MmParams {
    guard_value(std::ptr::null_mut(), || {
        Box::into_raw(Box::new(MmParams { inner: SolverParams::default(), tunables: Default::default() }))
    })
}

/// Frees parameters; NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn mm_params_free(params: *mut MmParams) {
    guard_value((), || {
        if !params.is_null() {
            drop(unsafe { Box::from_raw(params) });
        }
    })
}

/// Turns the switch called `name` (the reference's name, such as
/// "canonical_only"; dashes stand for underscores) on or off.
/// MM_INVALID_PARAMS for an unknown name.
#[no_mangle]
pub unsafe extern "C" fn mm_params_set_switch(params: *mut MmParams, name: *const c_char, on: bool) -> MmStatus {
    guard(|| {
        let params = unsafe { borrow_mut(params, "params") }?;
        let s = switch_named(unsafe { utf8(name, "name") }?)?;
        params.inner.switches.set(s, on);
        Ok(())
    })
}

/// Turns switch `which` (an `MmSwitch`) on or off.
#[no_mangle]
pub unsafe extern "C" fn mm_params_set_switch_id(params: *mut MmParams, which: u32, on: bool) -> MmStatus {
    guard(|| {
        let params = unsafe { borrow_mut(params, "params") }?;
        params.inner.switches.set(switch(which)?, on);
        Ok(())
    })
}

/// Reads whether the switch called `name` is on into `*on`.
#[no_mangle]
pub unsafe extern "C" fn mm_params_get_switch(params: *const MmParams, name: *const c_char, on: *mut bool) -> MmStatus {
    guard(|| {
        let params = unsafe { borrow(params, "params") }?;
        let s = switch_named(unsafe { utf8(name, "name") }?)?;
        if on.is_null() {
            return Err(Error::Null("on"));
        }
        unsafe { put(on, params.inner.on(s)) };
        Ok(())
    })
}

/// Sets the static preordering heuristics, comma-separated, tried in round
/// robin: such as "WAT,TAW,TWA" (the default). Letters: A area, C sections,
/// L lower, O overlaps, T total, U upper, W width, Z size.
#[no_mangle]
pub unsafe extern "C" fn mm_params_set_heuristics(params: *mut MmParams, heuristics: *const c_char) -> MmStatus {
    guard(|| {
        let params = unsafe { borrow_mut(params, "params") }?;
        let text = unsafe { utf8(heuristics, "heuristics") }?;
        params.inner.preordering_heuristics =
            parse_heuristics(text).map_err(|e| Error::Params(format!("heuristics: {e}")))?;
        Ok(())
    })
}

/// Sets the worker threads, 1 to 256: 1 runs the reference's sequential
/// algorithm (unless deterministic), more run the parallel portfolio.
/// Without it a solve uses one thread per core. MM_INVALID_PARAMS outside
/// that range, as the command line's `--threads` refuses it.
#[no_mangle]
pub unsafe extern "C" fn mm_params_set_threads(params: *mut MmParams, threads: u32) -> MmStatus {
    guard(|| {
        let params = unsafe { borrow_mut(params, "params") }?;
        params.inner.threads = check_threads(i128::from(threads)).map_err(|e| Error::Params(format!("threads {e}")))?;
        Ok(())
    })
}

/// Sets the seed of the portfolio's randomized tie-breaking.
#[no_mangle]
pub unsafe extern "C" fn mm_params_set_seed(params: *mut MmParams, seed: u64) -> MmStatus {
    guard(|| {
        unsafe { borrow_mut(params, "params") }?.inner.seed = seed;
        Ok(())
    })
}

/// Makes the portfolio's answer independent of timing and thread count.
#[no_mangle]
pub unsafe extern "C" fn mm_params_set_deterministic(params: *mut MmParams, deterministic: bool) -> MmStatus {
    guard(|| {
        unsafe { borrow_mut(params, "params") }?.inner.deterministic = deterministic;
        Ok(())
    })
}

/// Sets the time limit of each solve (of a whole minimization), in seconds,
/// 0 or more; INFINITY (and a limit too long for the clock, over 500
/// billion years) means none, the default. MM_INVALID_PARAMS for a
/// negative or NaN limit.
#[no_mangle]
pub unsafe extern "C" fn mm_params_set_time_limit(params: *mut MmParams, seconds: f64) -> MmStatus {
    guard(|| {
        let params = unsafe { borrow_mut(params, "params") }?;
        params.inner.timeout = time_limit(seconds).map_err(|e| Error::Params(format!("time limit {e}")))?;
        Ok(())
    })
}

/// Sets how many pairs of buffers live together send a problem down the
/// large-instance path (heuristics and neighbourhood search instead of the
/// exact search, whose model stores every pair). Default 4,000,000.
#[no_mangle]
pub unsafe extern "C" fn mm_params_set_large_pairs(params: *mut MmParams, pairs: u64) -> MmStatus {
    guard(|| {
        unsafe { borrow_mut(params, "params") }?.inner.large_pairs = pairs;
        Ok(())
    })
}

/// Sets the tunable `key`, named as docs/tunables.md lists it ("slice",
/// "lns.band", "minimize.bound_share"), to `value`, written as a preset
/// writes it ("64", "true", "150ms", "[\"1s\", \"2s\"]"). The library's
/// tables check the name and the range: MM_INVALID_PARAMS (with the
/// reason in `mm_last_error`) for an unknown name or a value out of range.
#[no_mangle]
pub unsafe extern "C" fn mm_params_set_tunable(
    params: *mut MmParams,
    key: *const c_char,
    value: *const c_char,
) -> MmStatus {
    guard(|| {
        let params = unsafe { borrow_mut(params, "params") }?;
        let (key, value) = (unsafe { utf8(key, "key") }?, unsafe { utf8(value, "value") }?);
        let mut opts = params.options();
        set_tunable(&mut opts, key, value).map_err(|e| Error::Params(format!("tunable {e}")))?;
        params.inner = opts.params;
        params.tunables = (opts.tunables, opts.lns, opts.minimize);
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CStr;
    use std::time::Duration;

    /// Every table's tunables reach the options a solver is made with.
    #[test]
    fn tunables_reach_the_options() {
        let p = mm_params_new();
        let set = |k: &str, v: &str| {
            let (k, v) = (std::ffi::CString::new(k).unwrap(), std::ffi::CString::new(v).unwrap());
            unsafe { mm_params_set_tunable(p, k.as_ptr(), v.as_ptr()) }
        };
        assert_eq!(set("slice", "64"), MmStatus::MM_OK);
        assert_eq!(set("lns.repair_budget", "1s"), MmStatus::MM_OK);
        assert_eq!(set("minimize.bound_share", "3"), MmStatus::MM_OK);
        assert_eq!(set("minimize.bound_share", "0"), MmStatus::MM_INVALID_PARAMS);
        let opts = unsafe { (*p).options() };
        assert_eq!(opts.tunables.slice, 64);
        assert_eq!(opts.lns.repair_budget, Duration::from_secs(1));
        assert_eq!(opts.minimize.bound_share, 3);
        unsafe { mm_params_free(p) };
    }

    /// `MM_SWITCH_CANONICAL_ONLY` for `canonical_only`: the enum's names
    /// and numbers follow the library's table.
    #[test]
    fn the_enum_follows_the_library_table() {
        let all = [
            MmSwitch::MM_SWITCH_CANONICAL_ONLY,
            MmSwitch::MM_SWITCH_SECTION_INFERENCE,
            MmSwitch::MM_SWITCH_DYNAMIC_ORDERING,
            MmSwitch::MM_SWITCH_CHECK_DOMINANCE,
            MmSwitch::MM_SWITCH_UNALLOCATED_FLOOR,
            MmSwitch::MM_SWITCH_STATIC_PREORDERING,
            MmSwitch::MM_SWITCH_DYNAMIC_DECOMPOSITION,
            MmSwitch::MM_SWITCH_MONOTONIC_FLOOR,
            MmSwitch::MM_SWITCH_HATLESS_PRUNING,
            MmSwitch::MM_SWITCH_POINT_FILLING,
            MmSwitch::MM_SWITCH_IDENTICAL_ORDER,
            MmSwitch::MM_SWITCH_FAILURE_LEARNING,
        ];
        assert_eq!(all.len(), Switch::ALL.len());
        assert_eq!(MmSwitch::MM_SWITCH_COUNT as u32, mm_switch_count());
        for (i, (e, s)) in all.into_iter().zip(Switch::ALL).enumerate() {
            assert_eq!(e as usize, i);
            assert_eq!(format!("{e:?}"), format!("MM_SWITCH_{}", s.name().to_uppercase()));
            let name = unsafe { CStr::from_ptr(mm_switch_name(i as u32)) };
            assert_eq!(name.to_str().unwrap(), s.name());
        }
        assert!(mm_switch_name(Switch::ALL.len() as u32).is_null());
    }

    #[test]
    fn setters_check_their_values() {
        let p = mm_params_new();
        unsafe {
            assert_eq!(mm_params_set_switch(p, c"canonical_only".as_ptr(), false), MmStatus::MM_OK);
            let mut on = true;
            assert_eq!(mm_params_get_switch(p, c"canonical-only".as_ptr(), &mut on), MmStatus::MM_OK);
            assert!(!on);
            assert_eq!(mm_params_set_switch(p, c"frobnicate".as_ptr(), true), MmStatus::MM_INVALID_PARAMS);
            assert_eq!(mm_params_set_switch_id(p, 8, false), MmStatus::MM_OK);
            assert!(!(*p).inner.on(Switch::HatlessPruning));
            assert_eq!(mm_params_set_switch_id(p, Switch::ALL.len() as u32, false), MmStatus::MM_INVALID_PARAMS);
            assert_eq!(mm_params_set_heuristics(p, c"TWA, WAT".as_ptr()), MmStatus::MM_OK);
            assert_eq!((*p).inner.preordering_heuristics.len(), 2);
            assert_eq!(mm_params_set_heuristics(p, c"WAX".as_ptr()), MmStatus::MM_INVALID_PARAMS);
            assert_eq!(mm_params_set_heuristics(p, c",".as_ptr()), MmStatus::MM_INVALID_PARAMS);
            assert_eq!(mm_params_set_time_limit(p, -1.0), MmStatus::MM_INVALID_PARAMS);
            assert_eq!(mm_params_set_time_limit(p, f64::NAN), MmStatus::MM_INVALID_PARAMS);
            assert_eq!(mm_params_set_time_limit(p, 2.5), MmStatus::MM_OK);
            assert_eq!((*p).inner.timeout, Some(Duration::from_millis(2500)));
            assert_eq!(mm_params_set_time_limit(p, f64::INFINITY), MmStatus::MM_OK);
            assert_eq!((*p).inner.timeout, None);
            assert_eq!(mm_params_set_threads(std::ptr::null_mut(), 1), MmStatus::MM_NULL_POINTER);
            mm_params_free(p);
        }
    }

    /// The rules and words are the library's, as the command line's flags
    /// and the Python package's: trust2/08.
    #[test]
    fn one_rule_one_message() {
        let p = mm_params_new();
        let message = || unsafe { CStr::from_ptr(crate::status::mm_last_error()) }.to_str().unwrap().to_string();
        unsafe {
            for bad in [0, 257, u32::MAX] {
                assert_eq!(mm_params_set_threads(p, bad), MmStatus::MM_INVALID_PARAMS);
                let rule = minimalloc::params::check_threads(i128::from(bad)).unwrap_err();
                assert_eq!(message(), format!("threads {rule}"));
            }
            assert_eq!(mm_params_set_threads(p, 256), MmStatus::MM_OK);
            assert_eq!(mm_params_set_time_limit(p, -1.0), MmStatus::MM_INVALID_PARAMS);
            assert_eq!(message(), format!("time limit {}", minimalloc::params::time_limit(-1.0).unwrap_err()));
            // Longer than the clock counts: no limit, as INFINITY.
            for long in [1e300, 18446744073709551616.0] {
                assert_eq!(mm_params_set_time_limit(p, long), MmStatus::MM_OK);
                assert_eq!((*p).inner.timeout, None);
            }
            assert_eq!(mm_params_set_heuristics(p, c"WAT,,TWA".as_ptr()), MmStatus::MM_INVALID_PARAMS);
            assert!(message().contains("empty preordering heuristic (item 2 of 'WAT,,TWA')"), "{}", message());
            mm_params_free(p);
        }
    }
}
