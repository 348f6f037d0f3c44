//! The C API as a C caller meets it, called from Rust: the seed example, a
//! problem with gaps, alignment and a fixed offset, CSV both ways, bad
//! input of every kind (each a status and a message, never a crash), a
//! cancel from another thread, and the challenging suite A-K solved to the
//! same heights as the library's own `Solver`.

use std::ffi::{c_char, CStr, CString};
use std::path::PathBuf;
use std::ptr::{null, null_mut};
use std::time::{Duration, Instant};

use minimalloc_c::*;

/// This thread's last error message.
fn last_error() -> String {
    unsafe { CStr::from_ptr(mm_last_error()) }.to_str().unwrap().to_string()
}

/// Asserts a status, printing the message when it differs.
#[track_caller]
fn expect(status: MmStatus, want: MmStatus) -> String {
    let message = last_error();
    assert_eq!(status, want, "message: {message}");
    message
}

fn cstr(s: &str) -> CString {
    CString::new(s).unwrap()
}

/// A problem from (id, lower, upper, size) rows.
fn problem(rows: &[(&str, i64, i64, i64)], capacity: i64) -> *mut MmProblem {
    let p = mm_problem_new();
    for &(id, lower, upper, size) in rows {
        let id = cstr(id);
        expect(unsafe { mm_problem_add_buffer(p, id.as_ptr(), lower, upper, size, null_mut()) }, MmStatus::MM_OK);
    }
    expect(unsafe { mm_problem_set_capacity(p, capacity) }, MmStatus::MM_OK);
    p
}

const SEED: [(&str, i64, i64, i64); 5] =
    [("b1", 0, 3, 4), ("b2", 3, 9, 4), ("b3", 0, 9, 4), ("b4", 9, 21, 4), ("b5", 0, 21, 4)];

fn offsets(solution: *const MmSolution) -> Vec<i64> {
    let n = unsafe { mm_solution_count(solution) };
    unsafe { std::slice::from_raw_parts(mm_solution_offsets(solution), n) }.to_vec()
}

/// Solves with a fresh solver of the given parameters (NULL: defaults).
fn solve(params: *const MmParams, p: *const MmProblem) -> (MmStatus, *mut MmSolution) {
    let solver = unsafe { mm_solver_new(params) };
    let mut out = null_mut();
    let status = unsafe { mm_solver_solve(solver, p, &mut out) };
    unsafe { mm_solver_free(solver) };
    (status, out)
}

#[test]
fn the_seed_example() {
    let p = problem(&SEED, 12);
    let (status, s) = solve(null(), p);
    expect(status, MmStatus::MM_OK);
    assert_eq!(offsets(s), vec![8, 8, 4, 4, 0]);
    assert_eq!(unsafe { mm_solution_height(s) }, 12);
    expect(unsafe { mm_validate(p, s) }, MmStatus::MM_OK);
    unsafe {
        mm_solution_free(s);
        mm_problem_free(p);
    }
}

/// A problem over two memories gets a validated plan: the cheapest buffer
/// moves, an alias group (set before the other buffers were added) stays
/// together, and a plan's numbers read back.
#[test]
fn a_plan_over_two_memories() {
    let p = problem(&SEED[..2], 0);
    let (x, sram, dram) = (cstr("x"), cstr("sram"), cstr("dram"));
    expect(unsafe { mm_problem_set_alias(p, 0, x.as_ptr()) }, MmStatus::MM_OK);
    expect(unsafe { mm_problem_set_alias(p, 1, x.as_ptr()) }, MmStatus::MM_OK);
    for &(id, lower, upper, size) in &SEED[2..] {
        let id = cstr(id);
        expect(unsafe { mm_problem_add_buffer(p, id.as_ptr(), lower, upper, size, null_mut()) }, MmStatus::MM_OK);
    }
    expect(unsafe { mm_problem_set_cost(p, 4, 1) }, MmStatus::MM_OK);
    expect(unsafe { mm_problem_add_memory(p, sram.as_ptr(), 8) }, MmStatus::MM_OK);
    expect(unsafe { mm_problem_add_memory(p, dram.as_ptr(), MM_UNBOUNDED) }, MmStatus::MM_OK);
    let (status, s) = solve(null(), p);
    expect(status, MmStatus::MM_OK);
    let (mut cost, mut bound, mut optimal) = (0, 0, false);
    expect(unsafe { mm_solution_plan(s, &mut cost, &mut bound, &mut optimal) }, MmStatus::MM_OK);
    // b5 (cost 1) leaves; b1 and b2 share an offset.
    assert_eq!((cost, bound, optimal), (1, 1, true));
    let memory = |i| unsafe { std::ffi::CStr::from_ptr(mm_solution_memory(s, i)) }.to_str().unwrap().to_string();
    assert_eq!((0..5).map(memory).collect::<Vec<_>>(), ["sram", "sram", "sram", "sram", "dram"]);
    assert_eq!(offsets(s)[0], offsets(s)[1]);
    assert_eq!(unsafe { (mm_solution_memory_height(s, 0), mm_solution_memory_height(s, 1)) }, (8, 4));
    expect(unsafe { mm_validate(p, s) }, MmStatus::MM_OK);
    unsafe {
        mm_solution_free(s);
        mm_problem_free(p);
    }
}

/// Tunables set on the parameters reach the solver made from them, and
/// the library's tables check them.
#[test]
fn tunables_are_checked_and_reach_the_solver() {
    let params = mm_params_new();
    let set = |k: &str, v: &str| unsafe { mm_params_set_tunable(params, cstr(k).as_ptr(), cstr(v).as_ptr()) };
    expect(set("slice", "64"), MmStatus::MM_OK);
    expect(set("stacking", "false"), MmStatus::MM_OK);
    expect(set("lns.repair_budget", "1s"), MmStatus::MM_OK);
    expect(set("slice", "0"), MmStatus::MM_INVALID_PARAMS);
    assert!(last_error().contains("slice must be at least 1"), "{}", last_error());
    expect(set("frobs", "1"), MmStatus::MM_INVALID_PARAMS);
    assert!(last_error().contains("unknown key 'frobs'"), "{}", last_error());
    expect(unsafe { mm_params_set_threads(params, 2) }, MmStatus::MM_OK);
    let p = problem(&SEED, 12);
    let (status, s) = solve(params, p);
    expect(status, MmStatus::MM_OK);
    assert_eq!(unsafe { mm_solution_height(s) }, 12);
    unsafe {
        mm_solution_free(s);
        mm_problem_free(p);
        mm_params_free(params);
    }
}

#[test]
fn gaps_alignment_and_a_fixed_offset() {
    let p = problem(&[("fixed", 0, 10, 4), ("aligned", 0, 10, 3), ("gapped", 0, 10, 4), ("late", 3, 7, 4)], 12);
    unsafe {
        expect(mm_problem_set_offset(p, 0, 8), MmStatus::MM_OK);
        expect(mm_problem_set_alignment(p, 1, 4), MmStatus::MM_OK);
        expect(mm_problem_add_gap(p, 2, 2, 8), MmStatus::MM_OK);
        expect(mm_problem_add_gap_window(p, 2, 8, 10, 0, 2), MmStatus::MM_OK);
        expect(mm_problem_set_hint(p, 3, 0), MmStatus::MM_OK);
        expect(mm_problem_check(p), MmStatus::MM_OK);
    }
    let (status, s) = solve(null(), p);
    expect(status, MmStatus::MM_OK);
    let o = offsets(s);
    assert_eq!(o[0], 8, "the fixed buffer stays");
    assert_eq!(o[1] % 4, 0, "aligned");
    expect(unsafe { mm_validate(p, s) }, MmStatus::MM_OK);

    let mut info = MmBufferInfo::default();
    expect(unsafe { mm_problem_get_buffer(p, 2, &mut info) }, MmStatus::MM_OK);
    assert_eq!((info.lower, info.upper, info.size, info.gap_count), (0, 10, 4, 2));
    let mut gap = MmGapInfo::default();
    expect(unsafe { mm_problem_get_gap(p, 2, 1, &mut gap) }, MmStatus::MM_OK);
    assert_eq!(gap, MmGapInfo { lower: 8, upper: 10, has_window: true, window_lower: 0, window_upper: 2 });
    expect(unsafe { mm_problem_get_buffer(p, 0, &mut info) }, MmStatus::MM_OK);
    assert!(info.has_offset && info.offset == 8 && !info.has_hint);

    let mut needed = 0usize;
    expect(unsafe { mm_problem_buffer_id(p, 1, null_mut(), 0, &mut needed) }, MmStatus::MM_OK);
    assert_eq!(needed, "aligned".len() + 1);
    let mut buf = vec![0 as c_char; needed];
    expect(unsafe { mm_problem_buffer_id(p, 1, buf.as_mut_ptr(), buf.len(), null_mut()) }, MmStatus::MM_OK);
    assert_eq!(unsafe { CStr::from_ptr(buf.as_ptr()) }, c"aligned");
    let m =
        expect(unsafe { mm_problem_buffer_id(p, 1, buf.as_mut_ptr(), 3, null_mut()) }, MmStatus::MM_INVALID_ARGUMENT);
    assert!(m.contains("needs 8 bytes"), "{m}");
    unsafe {
        mm_solution_free(s);
        mm_problem_free(p);
    }
}

#[test]
fn csv_both_ways() {
    let text = cstr("id,lower,upper,size\nb1,0,3,4\nb2,3,9,4\nb3,0,9,4\nb4,9,21,4\nb5,0,21,4\n");
    let mut p = null_mut();
    expect(unsafe { mm_problem_from_csv(text.as_ptr(), &mut p) }, MmStatus::MM_OK);
    assert_eq!(unsafe { mm_problem_buffer_count(p) }, 5);
    assert_eq!(unsafe { mm_problem_capacity(p) }, 0, "CSV carries no capacity");
    expect(unsafe { mm_problem_set_capacity(p, 12) }, MmStatus::MM_OK);
    let (status, s) = solve(null(), p);
    expect(status, MmStatus::MM_OK);

    let mut out = null_mut();
    expect(unsafe { mm_problem_to_csv(p, s, &mut out) }, MmStatus::MM_OK);
    let written = unsafe { CStr::from_ptr(out) }.to_str().unwrap().to_string();
    unsafe { mm_string_free(out) };
    assert!(written.starts_with("id,lower,upper,size,offset\n"), "{written}");
    assert!(written.contains("b1,0,3,4,8\n"), "{written}");

    let dir = std::env::temp_dir().join(format!("minimalloc-capi-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("seed.out.csv");
    let path = cstr(file.to_str().unwrap());
    expect(unsafe { mm_problem_write_csv(p, s, path.as_ptr()) }, MmStatus::MM_OK);
    let mut back = null_mut();
    expect(unsafe { mm_problem_read_csv(path.as_ptr(), &mut back) }, MmStatus::MM_OK);
    // The offset column reads back as fixed offsets.
    let mut info = MmBufferInfo::default();
    expect(unsafe { mm_problem_get_buffer(back, 0, &mut info) }, MmStatus::MM_OK);
    assert!(info.has_offset && info.offset == 8);
    std::fs::remove_dir_all(&dir).unwrap();
    unsafe {
        mm_problem_free(back);
        mm_solution_free(s);
        mm_problem_free(p);
    }
}

#[test]
fn bad_buffers_are_refused_with_a_message_and_leave_the_problem_as_it_was() {
    let p = mm_problem_new();
    let id = cstr("x");
    unsafe {
        let m = expect(mm_problem_add_buffer(p, id.as_ptr(), 0, 1, -4, null_mut()), MmStatus::MM_INVALID_INPUT);
        assert!(m.contains("negative size -4"), "{m}");
        let m = expect(mm_problem_add_buffer(p, id.as_ptr(), 5, 2, 4, null_mut()), MmStatus::MM_INVALID_INPUT);
        assert!(m.contains("lower 5 is after upper 2"), "{m}");
        assert_eq!(mm_problem_buffer_count(p), 0, "nothing added");

        let mut index = 99;
        expect(mm_problem_add_buffer(p, id.as_ptr(), 0, 10, 4, &mut index), MmStatus::MM_OK);
        assert_eq!(index, 0);
        let m = expect(mm_problem_set_alignment(p, 0, 0), MmStatus::MM_INVALID_INPUT);
        assert!(m.contains("alignment 0 is below 1"), "{m}");
        expect(mm_problem_set_offset(p, 0, -1), MmStatus::MM_INVALID_INPUT);
        let m = expect(mm_problem_add_gap(p, 0, 5, 20), MmStatus::MM_INVALID_INPUT);
        assert!(m.contains("not inside the lifespan"), "{m}");
        expect(mm_problem_add_gap_window(p, 0, 1, 2, 0, 9), MmStatus::MM_INVALID_INPUT);
        expect(mm_problem_add_gap(p, 0, 1, 5), MmStatus::MM_OK);
        let m = expect(mm_problem_add_gap(p, 0, 4, 6), MmStatus::MM_INVALID_INPUT);
        assert!(m.contains("overlap"), "{m}");
        let m = expect(mm_problem_set_alignment(p, 7, 2), MmStatus::MM_INVALID_ARGUMENT);
        assert!(m.contains("index 7 is out of range"), "{m}");
        let mut info = MmBufferInfo::default();
        expect(mm_problem_get_buffer(p, 0, &mut info), MmStatus::MM_OK);
        assert_eq!((info.alignment, info.has_offset, info.gap_count), (1, false, 1), "refused changes left no trace");

        let m = expect(mm_problem_set_capacity(p, -1), MmStatus::MM_INVALID_INPUT);
        assert!(m.contains("capacity -1"), "{m}");

        // Duplicate ids are a fault of the whole problem: found by the
        // check and by a solve.
        expect(mm_problem_add_buffer(p, id.as_ptr(), 0, 10, 4, null_mut()), MmStatus::MM_OK);
        expect(mm_problem_set_capacity(p, 100), MmStatus::MM_OK);
        let m = expect(mm_problem_check(p), MmStatus::MM_INVALID_INPUT);
        assert!(m.contains("duplicate id"), "{m}");
        let (status, s) = solve(null(), p);
        expect(status, MmStatus::MM_INVALID_INPUT);
        assert!(s.is_null());
        mm_problem_free(p);
    }
}

#[test]
fn a_capacity_below_the_load_bound_is_infeasible_with_the_reason() {
    let p = problem(&SEED, 11);
    let (status, s) = solve(null(), p);
    let m = expect(status, MmStatus::MM_INFEASIBLE);
    assert!(m.starts_with("infeasible: no packing fits in capacity 11"), "{m}");
    assert!(s.is_null());
    unsafe { mm_problem_free(p) };
}

#[test]
fn null_pointers_are_reported_not_followed() {
    let p = problem(&SEED, 12);
    let solver = unsafe { mm_solver_new(null()) };
    let mut out = null_mut();
    let id = cstr("x");
    unsafe {
        let m = expect(mm_problem_add_buffer(null_mut(), id.as_ptr(), 0, 1, 1, null_mut()), MmStatus::MM_NULL_POINTER);
        assert_eq!(m, "problem is NULL");
        let m = expect(mm_problem_add_buffer(p, null(), 0, 1, 1, null_mut()), MmStatus::MM_NULL_POINTER);
        assert_eq!(m, "id is NULL");
        expect(mm_problem_set_capacity(null_mut(), 1), MmStatus::MM_NULL_POINTER);
        expect(mm_problem_get_buffer(p, 0, null_mut()), MmStatus::MM_NULL_POINTER);
        expect(mm_problem_check(null()), MmStatus::MM_NULL_POINTER);
        expect(mm_solver_solve(null(), p, &mut out), MmStatus::MM_NULL_POINTER);
        expect(mm_solver_solve(solver, null(), &mut out), MmStatus::MM_NULL_POINTER);
        let m = expect(mm_solver_solve(solver, p, null_mut()), MmStatus::MM_NULL_POINTER);
        assert_eq!(m, "out is NULL");
        expect(mm_solver_minimize(solver, null(), null_mut(), null_mut(), null_mut()), MmStatus::MM_NULL_POINTER);
        expect(mm_solver_cancel(null()), MmStatus::MM_NULL_POINTER);
        expect(mm_validate(p, null()), MmStatus::MM_NULL_POINTER);
        expect(mm_solution_new(p, null(), 5, &mut out), MmStatus::MM_NULL_POINTER);
        expect(mm_problem_read_csv(null(), &mut null_mut()), MmStatus::MM_NULL_POINTER);
        expect(mm_problem_from_csv(null(), &mut null_mut()), MmStatus::MM_NULL_POINTER);
        expect(mm_problem_to_csv(null(), null(), &mut null_mut()), MmStatus::MM_NULL_POINTER);
        expect(mm_params_set_switch(null_mut(), c"canonical_only".as_ptr(), true), MmStatus::MM_NULL_POINTER);
        // Getters and destructors take NULL quietly.
        assert_eq!(mm_problem_buffer_count(null()), 0);
        assert_eq!(mm_solution_height(null()), -1);
        assert!(mm_solution_offsets(null()).is_null());
        assert!(mm_problem_clone(null()).is_null());
        mm_problem_free(null_mut());
        mm_solution_free(null_mut());
        mm_solver_free(null_mut());
        mm_params_free(null_mut());
        mm_string_free(null_mut());
        mm_solver_free(solver);
        mm_problem_free(p);
    }
}

#[test]
fn bad_files_solutions_and_strings() {
    unsafe {
        let mut p = null_mut();
        let text = cstr("id,lower,upper,size\nb1,0,3,four\n");
        let m = expect(mm_problem_from_csv(text.as_ptr(), &mut p), MmStatus::MM_INVALID_INPUT);
        assert_eq!(m, "<input>:2:4: column 'size': 'four' is not an integer");
        assert!(p.is_null());
        let missing = cstr("/nonexistent/minimalloc/problem.csv");
        let m = expect(mm_problem_read_csv(missing.as_ptr(), &mut p), MmStatus::MM_IO_ERROR);
        assert!(m.starts_with("/nonexistent/minimalloc/problem.csv: "), "{m}");
        let not_utf8 = [0xffu8 as c_char, 0];
        expect(mm_problem_from_csv(not_utf8.as_ptr(), &mut p), MmStatus::MM_INVALID_ARGUMENT);

        let p = problem(&SEED, 12);
        let mut s = null_mut();
        let m = expect(mm_solution_new(p, [0i64; 2].as_ptr(), 2, &mut s), MmStatus::MM_INVALID_ARGUMENT);
        assert_eq!(m, "2 offsets for 5 buffers");
        expect(mm_solution_new(p, [0i64; 5].as_ptr(), 5, &mut s), MmStatus::MM_OK);
        assert_eq!(mm_solution_height(s), 4);
        let m = expect(mm_validate(p, s), MmStatus::MM_INVALID_SOLUTION);
        assert!(m.starts_with("invalid solution: buffers '") && m.contains("overlap at time"), "{m}");
        mm_solution_free(s);
        mm_problem_free(p);
    }
}

#[test]
fn last_errors_are_per_thread() {
    let p = mm_problem_new();
    let status = unsafe { mm_problem_set_capacity(p, -5) };
    expect(status, MmStatus::MM_INVALID_INPUT);
    let other = std::thread::spawn(|| {
        let before = last_error();
        expect(unsafe { mm_problem_check(null()) }, MmStatus::MM_NULL_POINTER);
        before
    })
    .join()
    .unwrap();
    assert_eq!(other, "", "a new thread starts with no error");
    assert!(last_error().contains("capacity -5"), "this thread's message is its own");
    unsafe { mm_problem_free(p) };
}

/// A partition problem the search cannot refute quickly: even-sized items
/// live together at one moment, split by a wall fixed at half their total,
/// which is odd, so no subset fills the space below the wall and none fits.
/// The load equals the capacity, so no bound refutes it.
pub fn hard_problem(items: usize) -> *mut MmProblem {
    let p = mm_problem_new();
    let mut state: u64 = 12345;
    let mut sizes: Vec<i64> = (0..items)
        .map(|_| {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            2 * (50 + ((state >> 33) % 150) as i64)
        })
        .collect();
    if sizes.iter().sum::<i64>() % 4 == 0 {
        sizes[0] += 2;
    }
    let total: i64 = sizes.iter().sum();
    for (i, &size) in sizes.iter().enumerate() {
        let id = cstr(&format!("item{i}"));
        expect(unsafe { mm_problem_add_buffer(p, id.as_ptr(), 0, 1, size, null_mut()) }, MmStatus::MM_OK);
    }
    let mut wall = 0;
    expect(unsafe { mm_problem_add_buffer(p, c"wall".as_ptr(), 0, 1, 2, &mut wall) }, MmStatus::MM_OK);
    expect(unsafe { mm_problem_set_offset(p, wall, total / 2) }, MmStatus::MM_OK);
    expect(unsafe { mm_problem_set_capacity(p, total + 2) }, MmStatus::MM_OK);
    p
}

/// Raw handles moved into a thread: the API is thread-safe for solvers,
/// and the problem is only read.
struct Handles(*const MmSolver, *const MmProblem);
unsafe impl Send for Handles {}

#[test]
fn a_cancel_from_another_thread_stops_a_long_solve_and_a_minimization() {
    let p = hard_problem(30);
    for threads in [1, 2] {
        let params = mm_params_new();
        expect(unsafe { mm_params_set_threads(params, threads) }, MmStatus::MM_OK);
        let solver = unsafe { mm_solver_new(params) };
        unsafe { mm_params_free(params) };
        let h = Handles(solver, p);
        let solving = std::thread::spawn(move || {
            let h = h;
            let mut out = null_mut();
            let status = unsafe { mm_solver_solve(h.0, h.1, &mut out) };
            (status, out.is_null(), last_error())
        });
        std::thread::sleep(Duration::from_millis(300));
        assert!(!solving.is_finished(), "the solve must still run when cancelled");
        let cancelled_at = Instant::now();
        expect(unsafe { mm_solver_cancel(solver) }, MmStatus::MM_OK);
        let (status, no_solution, message) = solving.join().unwrap();
        assert!(cancelled_at.elapsed() < Duration::from_secs(5), "stopped promptly: {:?}", cancelled_at.elapsed());
        assert_eq!(status, MmStatus::MM_CANCELLED, "{message}");
        assert!(no_solution);
        assert_eq!(message, "cancelled");

        // The cancel is sticky until a reset.
        let mut out = null_mut();
        expect(unsafe { mm_solver_solve(solver, p, &mut out) }, MmStatus::MM_CANCELLED);
        expect(unsafe { mm_solver_reset(solver) }, MmStatus::MM_OK);
        let seed = problem(&SEED, 12);
        expect(unsafe { mm_solver_solve(solver, seed, &mut out) }, MmStatus::MM_OK);
        unsafe {
            mm_solution_free(out);
            mm_problem_free(seed);
            mm_solver_free(solver);
        }
    }

    // A minimization (no capacity limit) stopped by a cancel returns what
    // it had: the greedy packing comes at once, the proof never.
    let open = unsafe { mm_problem_clone(p) };
    expect(unsafe { mm_problem_set_capacity(open, 0) }, MmStatus::MM_OK);
    let solver = unsafe { mm_solver_new(null()) };
    let h = Handles(solver, open);
    let minimizing = std::thread::spawn(move || {
        let h = h;
        let (mut status, mut lower, mut out) = (MmMinimizeStatus::MM_MINIMIZE_OPTIMAL, 0i64, null_mut());
        let s = unsafe { mm_solver_minimize(h.0, h.1, &mut status, &mut lower, &mut out) };
        let height = unsafe { mm_solution_height(out) };
        unsafe { mm_solution_free(out) };
        (s, status, lower, height)
    });
    std::thread::sleep(Duration::from_millis(300));
    expect(unsafe { mm_solver_cancel(solver) }, MmStatus::MM_OK);
    let (s, status, lower, height) = minimizing.join().unwrap();
    assert_eq!(s, MmStatus::MM_OK);
    assert_eq!(status, MmMinimizeStatus::MM_MINIMIZE_FEASIBLE, "height {height}, bound {lower}");
    assert_eq!(lower, unsafe { mm_problem_capacity(p) }, "the load bound");
    assert!(height > lower, "height {height}, bound {lower}");
    unsafe {
        mm_solver_free(solver);
        mm_problem_free(open);
        mm_problem_free(p);
    }
}

#[test]
fn minimizing_the_seed_proves_twelve() {
    let p = problem(&SEED, 0);
    let solver = unsafe { mm_solver_new(null()) };
    let (mut status, mut lower, mut out) = (MmMinimizeStatus::MM_MINIMIZE_UNKNOWN, 0i64, null_mut());
    expect(unsafe { mm_solver_minimize(solver, p, &mut status, &mut lower, &mut out) }, MmStatus::MM_OK);
    assert_eq!((status, lower, unsafe { mm_solution_height(out) }), (MmMinimizeStatus::MM_MINIMIZE_OPTIMAL, 12, 12));
    unsafe {
        mm_solution_free(out);
        mm_solver_free(solver);
        mm_problem_free(p);
    }
}

/// The challenging suite A-K at capacity 1048576, through the C API and
/// through the library's `Solver::default()`: the same heights, and every
/// solution valid. Skipped when `../shared` is not beside the repository.
#[test]
fn challenging_suite_heights_match_the_library() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/benchmarks/challenging");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        eprintln!("{} not found: skipping A-K", dir.display());
        return;
    };
    let mut files: Vec<PathBuf> =
        entries.map(|e| e.unwrap().path()).filter(|p| p.extension().is_some_and(|x| x == "csv")).collect();
    files.sort();
    assert_eq!(files.len(), 11, "A-K");
    let solver = unsafe { mm_solver_new(null()) };
    for file in files {
        let path = cstr(file.to_str().unwrap());
        let mut p = null_mut();
        expect(unsafe { mm_problem_read_csv(path.as_ptr(), &mut p) }, MmStatus::MM_OK);
        expect(unsafe { mm_problem_set_capacity(p, 1048576) }, MmStatus::MM_OK);
        let mut out = null_mut();
        expect(unsafe { mm_solver_solve(solver, p, &mut out) }, MmStatus::MM_OK);
        expect(unsafe { mm_validate(p, out) }, MmStatus::MM_OK);
        let height = unsafe { mm_solution_height(out) };

        let mut problem = minimalloc::read_csv_file(&file).unwrap().problem;
        problem.capacity = 1048576;
        let direct = minimalloc::Solver::default().solve(&problem).unwrap().into_solution().unwrap();
        let name = file.file_name().unwrap().to_string_lossy().to_string();
        println!("{name}: C API height {height}, Solver::default() height {}", direct.height);
        assert_eq!(height, direct.height, "{name}");
        unsafe {
            mm_solution_free(out);
            mm_problem_free(p);
        }
    }
    unsafe { mm_solver_free(solver) };
}
