//! Problems: create, fill buffer by buffer, read back, check, free.
//!
//! Each change to a buffer is checked at once against the model's per-buffer
//! rules (a negative size, `lower > upper`, a gap outside the lifespan...),
//! and a change that breaks one is refused and leaves the buffer as it was,
//! so the caller learns which call was wrong. Rules across buffers (unique
//! ids, the total size limit) are checked by `mm_problem_check` and by every
//! solve.

use std::ffi::c_char;

use minimalloc::{Buffer, Gap, Interval, Problem};

use crate::memories::Memories;
use crate::status::{borrow, borrow_mut, guard, guard_value, put, utf8, Error, MmStatus};

/// A problem: buffers and the capacity they must fit in. Opaque; create
/// with `mm_problem_new` (or a CSV reader), free with `mm_problem_free`.
pub struct MmProblem {
    pub(crate) inner: Problem,
    /// Its memories, and what its buffers say of them (none: one memory).
    pub(crate) memories: Memories,
}

/// One buffer's numbers, as `mm_problem_get_buffer` reads them back.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MmBufferInfo {
    /// Start of the lifespan (inclusive).
    pub lower: i64,
    /// End of the lifespan (exclusive).
    pub upper: i64,
    /// Size while live.
    pub size: i64,
    /// Every offset is a multiple of this (at least 1).
    pub alignment: i64,
    /// Whether the buffer has a fixed offset.
    pub has_offset: bool,
    /// The fixed offset (0 when `has_offset` is false).
    pub offset: i64,
    /// Whether the buffer has a hint.
    pub has_hint: bool,
    /// The preferred offset (0 when `has_hint` is false).
    pub hint: i64,
    /// How many gaps the buffer has (read them with `mm_problem_get_gap`).
    pub gap_count: usize,
}

/// One gap of a buffer, as `mm_problem_get_gap` reads it back.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MmGapInfo {
    /// When the gap starts (inclusive).
    pub lower: i64,
    /// When the gap ends (exclusive).
    pub upper: i64,
    /// Whether part of the buffer stays occupied during the gap; false: none.
    pub has_window: bool,
    /// The occupied part's start, relative to the buffer's offset.
    pub window_lower: i64,
    /// The occupied part's end, relative to the buffer's offset.
    pub window_upper: i64,
}

/// Checks one buffer against the model's rules, by checking a problem that
/// holds it alone (the library's own per-buffer check is private).
fn check_buffer(buffer: &Buffer, index: usize) -> Result<(), Error> {
    let alone = Problem::new(vec![buffer.clone()], 0);
    alone.check().map_err(|mut e| {
        // The check numbers the buffer 0 in its one-buffer problem.
        e.buffer = index;
        Error::Problem(e)
    })
}

impl MmProblem {
    /// A problem of `inner`'s buffers with no memories.
    pub(crate) fn of(inner: Problem) -> Self {
        MmProblem { inner, memories: Memories::default() }
    }

    /// The number of buffers, when `index` names one of them.
    pub(crate) fn check_index(&self, index: usize) -> Result<usize, Error> {
        self.buffer(index).map(|_| self.inner.buffers.len())
    }

    /// The buffer at `index`.
    fn buffer(&self, index: usize) -> Result<&Buffer, Error> {
        let n = self.inner.buffers.len();
        self.inner.buffers.get(index).ok_or_else(|| out_of_range(index, n))
    }

    /// Applies `change` to a copy of the buffer at `index` and keeps it only
    /// if the result passes the per-buffer check.
    fn change(&mut self, index: usize, change: impl FnOnce(&mut Buffer)) -> Result<(), Error> {
        let mut buffer = self.buffer(index)?.clone();
        change(&mut buffer);
        check_buffer(&buffer, index)?;
        self.inner.buffers[index] = buffer;
        Ok(())
    }
}

fn out_of_range(index: usize, count: usize) -> Error {
    Error::Argument(format!("buffer index {index} is out of range (the problem has {count} buffers)"))
}

/// A new, empty problem with capacity 0. Free it with `mm_problem_free`.
/// NULL only if the library failed internally.
#[no_mangle]
pub extern "C" fn mm_problem_new() -> *mut MmProblem {
    guard_value(std::ptr::null_mut(), || Box::into_raw(Box::new(MmProblem::of(Problem::default()))))
}

/// Frees a problem; NULL is ignored. The handle is invalid afterwards.
#[no_mangle]
pub unsafe extern "C" fn mm_problem_free(problem: *mut MmProblem) {
    guard_value((), || {
        if !problem.is_null() {
            drop(unsafe { Box::from_raw(problem) });
        }
    })
}

/// A copy of a problem (NULL if `problem` is NULL).
#[no_mangle]
pub unsafe extern "C" fn mm_problem_clone(problem: *const MmProblem) -> *mut MmProblem {
    guard_value(std::ptr::null_mut(), || match unsafe { problem.as_ref() } {
        Some(p) => Box::into_raw(Box::new(MmProblem { inner: p.inner.clone(), memories: p.memories.clone() })),
        None => std::ptr::null_mut(),
    })
}

/// Sets the capacity every buffer must fit in: `offset + size <= capacity`.
/// MM_INVALID_INPUT if it is negative or above 2^62.
#[no_mangle]
pub unsafe extern "C" fn mm_problem_set_capacity(problem: *mut MmProblem, capacity: i64) -> MmStatus {
    guard(|| {
        let problem = unsafe { borrow_mut(problem, "problem") }?;
        Problem::new(Vec::new(), capacity).check()?;
        problem.inner.capacity = capacity;
        Ok(())
    })
}

/// The capacity (0 if `problem` is NULL).
#[no_mangle]
pub unsafe extern "C" fn mm_problem_capacity(problem: *const MmProblem) -> i64 {
    guard_value(0, || unsafe { problem.as_ref() }.map_or(0, |p| p.inner.capacity))
}

/// How many buffers the problem has (0 if `problem` is NULL).
#[no_mangle]
pub unsafe extern "C" fn mm_problem_buffer_count(problem: *const MmProblem) -> usize {
    guard_value(0, || unsafe { problem.as_ref() }.map_or(0, |p| p.inner.buffers.len()))
}

/// Appends a buffer live over `[lower, upper)` with the given size,
/// alignment 1, no gaps, no fixed offset and no hint; its index (buffers are
/// numbered from 0 in the order added) goes to `*index` unless `index` is
/// NULL. `id` is copied; ids must be unique within a problem (checked when
/// solving). MM_INVALID_INPUT for a negative size or `lower > upper`, and
/// then nothing is added.
#[no_mangle]
pub unsafe extern "C" fn mm_problem_add_buffer(
    problem: *mut MmProblem,
    id: *const c_char,
    lower: i64,
    upper: i64,
    size: i64,
    index: *mut usize,
) -> MmStatus {
    guard(|| {
        let problem = unsafe { borrow_mut(problem, "problem") }?;
        let id = unsafe { utf8(id, "id") }?;
        let buffer = Buffer::new(id, lower, upper, size);
        let at = problem.inner.buffers.len();
        check_buffer(&buffer, at)?;
        problem.inner.buffers.push(buffer);
        if !index.is_null() {
            unsafe { put(index, at) };
        }
        Ok(())
    })
}

/// Sets a buffer's alignment: its offset must be a multiple of it (at least
/// 1). Set it before a fixed offset, which must be a multiple of it too.
#[no_mangle]
pub unsafe extern "C" fn mm_problem_set_alignment(problem: *mut MmProblem, index: usize, alignment: i64) -> MmStatus {
    guard(|| unsafe { borrow_mut(problem, "problem") }?.change(index, |b| b.alignment = alignment))
}

/// Fixes a buffer at `offset` (at least 0, a multiple of its alignment).
#[no_mangle]
pub unsafe extern "C" fn mm_problem_set_offset(problem: *mut MmProblem, index: usize, offset: i64) -> MmStatus {
    guard(|| unsafe { borrow_mut(problem, "problem") }?.change(index, |b| b.offset = Some(offset)))
}

/// Lets a fixed buffer move again.
#[no_mangle]
pub unsafe extern "C" fn mm_problem_clear_offset(problem: *mut MmProblem, index: usize) -> MmStatus {
    guard(|| unsafe { borrow_mut(problem, "problem") }?.change(index, |b| b.offset = None))
}

/// Gives a buffer a preferred offset, which heuristics may try first (the
/// exact search ignores it).
#[no_mangle]
pub unsafe extern "C" fn mm_problem_set_hint(problem: *mut MmProblem, index: usize, hint: i64) -> MmStatus {
    guard(|| unsafe { borrow_mut(problem, "problem") }?.change(index, |b| b.hint = Some(hint)))
}

/// Removes a buffer's hint.
#[no_mangle]
pub unsafe extern "C" fn mm_problem_clear_hint(problem: *mut MmProblem, index: usize) -> MmStatus {
    guard(|| unsafe { borrow_mut(problem, "problem") }?.change(index, |b| b.hint = None))
}

/// Adds a gap `[lower, upper)` inside the buffer's lifespan where it
/// occupies no memory. Gaps of a buffer must not overlap.
#[no_mangle]
pub unsafe extern "C" fn mm_problem_add_gap(problem: *mut MmProblem, index: usize, lower: i64, upper: i64) -> MmStatus {
    guard(|| {
        let gap = Gap { lifespan: Interval::new(lower, upper), window: None };
        unsafe { borrow_mut(problem, "problem") }?.change(index, |b| b.gaps.push(gap))
    })
}

/// Adds a gap `[lower, upper)` where the buffer occupies only the window
/// `[offset + window_lower, offset + window_upper)`, inside `[0, size]`.
#[no_mangle]
pub unsafe extern "C" fn mm_problem_add_gap_window(
    problem: *mut MmProblem,
    index: usize,
    lower: i64,
    upper: i64,
    window_lower: i64,
    window_upper: i64,
) -> MmStatus {
    guard(|| {
        let gap =
            Gap { lifespan: Interval::new(lower, upper), window: Some(Interval::new(window_lower, window_upper)) };
        unsafe { borrow_mut(problem, "problem") }?.change(index, |b| b.gaps.push(gap))
    })
}

/// Reads a buffer's numbers into `*info`.
#[no_mangle]
pub unsafe extern "C" fn mm_problem_get_buffer(
    problem: *const MmProblem,
    index: usize,
    info: *mut MmBufferInfo,
) -> MmStatus {
    guard(|| {
        let b = unsafe { borrow(problem, "problem") }?.buffer(index)?;
        if info.is_null() {
            return Err(Error::Null("info"));
        }
        let value = MmBufferInfo {
            lower: b.lifespan.lower,
            upper: b.lifespan.upper,
            size: b.size,
            alignment: b.alignment,
            has_offset: b.offset.is_some(),
            offset: b.offset.unwrap_or(0),
            has_hint: b.hint.is_some(),
            hint: b.hint.unwrap_or(0),
            gap_count: b.gaps.len(),
        };
        unsafe { put(info, value) };
        Ok(())
    })
}

/// Reads gap `gap` of buffer `index` into `*info`.
#[no_mangle]
pub unsafe extern "C" fn mm_problem_get_gap(
    problem: *const MmProblem,
    index: usize,
    gap: usize,
    info: *mut MmGapInfo,
) -> MmStatus {
    guard(|| {
        let b = unsafe { borrow(problem, "problem") }?.buffer(index)?;
        let g = b.gaps.get(gap).ok_or_else(|| {
            Error::Argument(format!("gap index {gap} is out of range (buffer {index} has {} gaps)", b.gaps.len()))
        })?;
        if info.is_null() {
            return Err(Error::Null("info"));
        }
        let w = g.window.unwrap_or_default();
        let value = MmGapInfo {
            lower: g.lifespan.lower,
            upper: g.lifespan.upper,
            has_window: g.window.is_some(),
            window_lower: w.lower,
            window_upper: w.upper,
        };
        unsafe { put(info, value) };
        Ok(())
    })
}

/// Copies a buffer's id, NUL-terminated, into `out` (`out_len` bytes), and
/// its length plus one into `*needed` unless `needed` is NULL. Call with
/// `out` NULL and `out_len` 0 to learn the size; MM_INVALID_ARGUMENT (and
/// nothing written to `out`) when `out_len` is too small.
#[no_mangle]
pub unsafe extern "C" fn mm_problem_buffer_id(
    problem: *const MmProblem,
    index: usize,
    out: *mut c_char,
    out_len: usize,
    needed: *mut usize,
) -> MmStatus {
    guard(|| {
        let id = unsafe { borrow(problem, "problem") }?.buffer(index)?.id.as_bytes();
        let size = id.len() + 1;
        if !needed.is_null() {
            unsafe { put(needed, size) };
        }
        if out.is_null() && out_len == 0 {
            return Ok(());
        }
        if out.is_null() {
            return Err(Error::Null("out"));
        }
        if out_len < size {
            return Err(Error::Argument(format!("the id needs {size} bytes, the output holds {out_len}")));
        }
        // SAFETY: the caller gave `out_len >= size` writable bytes at `out`.
        unsafe {
            std::ptr::copy_nonoverlapping(id.as_ptr(), out.cast::<u8>(), id.len());
            out.add(id.len()).write(0);
        }
        Ok(())
    })
}

/// Checks the whole problem: every buffer, unique ids, and sizes small
/// enough for 64-bit arithmetic; with memories, their layout, each
/// buffer's memories and alias groups. MM_INVALID_INPUT with the fault
/// otherwise.
#[no_mangle]
pub unsafe extern "C" fn mm_problem_check(problem: *const MmProblem) -> MmStatus {
    guard(|| {
        let problem = unsafe { borrow(problem, "problem") }?;
        problem.inner.check()?;
        problem.memories.problem(&problem.inner).map(|_| ())
    })
}
