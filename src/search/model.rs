//! The search's read-only view of a problem: the sweep flattened into
//! contiguous arrays indexed by buffer or section, built once and shared by
//! every worker. The capacity is not part of it, so one model serves probes
//! at many capacities.

use crate::problem::Problem;
use crate::search::order::PreorderData;
use crate::sweep::{Partition, Sweep};

/// Marks "no fixed offset".
pub(crate) const NO_FIXED: i64 = -1;

/// A stretch of sections where a buffer is active: sections `lo..hi`, where
/// it occupies `len` bytes whose top is `top` above its offset.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Span {
    pub lo: u32,
    pub hi: u32,
    pub len: i64,
    pub top: i64,
}

/// A buffer that meets another and the effective size between them.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Edge {
    pub other: u32,
    pub eff: i64,
}

/// The flattened problem; see the module docs.
#[derive(Clone, Debug)]
pub struct Model {
    /// Number of buffers in the problem (the reference's node limits start from it).
    pub(crate) num_buffers: usize,
    pub(crate) size: Vec<i64>,
    pub(crate) align: Vec<i64>,
    /// Fixed offset or [`NO_FIXED`].
    pub(crate) fixed: Vec<i64>,
    pub(crate) edge_start: Vec<u32>,
    pub(crate) edges: Vec<Edge>,
    pub(crate) span_start: Vec<u32>,
    pub(crate) spans: Vec<Span>,
    /// First section and one past the last, per buffer.
    pub(crate) extent: Vec<(u32, u32)>,
    pub(crate) section_start: Vec<u32>,
    pub(crate) section_members: Vec<u32>,
    /// Sum of occupied window lengths per section, before anything is placed.
    pub(crate) initial_total: Vec<i64>,
    pub(crate) initial_cuts: Vec<u32>,
    /// Preorder attributes that do not change during search (`total` is filled in later).
    pub(crate) preorder: Vec<PreorderData>,
    pub(crate) partitions: Vec<Partition>,
}

impl Model {
    /// Builds the model from a problem and its sweep.
    pub fn new(problem: &Problem, sweep: &Sweep) -> Model {
        let n = problem.buffers.len();
        let num_sections = sweep.num_sections();
        let mut edge_start = Vec::with_capacity(n + 1);
        let mut edges = Vec::new();
        let mut span_start = Vec::with_capacity(n + 1);
        let mut spans = Vec::new();
        let mut extent = Vec::with_capacity(n);
        let mut total_diff = vec![0i64; num_sections + 1];
        let mut preorder = Vec::with_capacity(n);
        edge_start.push(0);
        span_start.push(0);
        for (idx, (b, data)) in problem.buffers.iter().zip(&sweep.buffer_data).enumerate() {
            edges.extend(data.overlaps.iter().map(|o| Edge { other: o.buffer as u32, eff: o.effective_size }));
            edge_start.push(edges.len() as u32);
            for s in &data.spans {
                spans.push(Span {
                    lo: s.range.lower as u32,
                    hi: s.range.upper as u32,
                    len: s.window.len(),
                    top: s.window.upper,
                });
                total_diff[s.range.lower] += s.window.len();
                total_diff[s.range.upper] -= s.window.len();
            }
            span_start.push(spans.len() as u32);
            let e = data.extent();
            extent.push((e.lower as u32, e.upper as u32));
            preorder.push(PreorderData {
                area: b.area(),
                lower: b.lifespan.lower,
                overlaps: data.overlaps.len() as u64,
                sections: (e.upper - e.lower) as u64,
                size: b.size,
                total: 0,
                upper: b.lifespan.upper,
                width: b.lifespan.len(),
                buffer: idx as u32,
                rank: idx as u32,
            });
        }
        let mut initial_total = Vec::with_capacity(num_sections);
        let mut acc = 0i64;
        for d in total_diff.iter().take(num_sections) {
            acc += d;
            initial_total.push(acc);
        }
        let mut section_start = Vec::with_capacity(num_sections + 1);
        let mut section_members = Vec::new();
        section_start.push(0);
        for s in 0..num_sections {
            section_members.extend_from_slice(sweep.section(s));
            section_start.push(section_members.len() as u32);
        }
        Model {
            num_buffers: n,
            size: problem.buffers.iter().map(|b| b.size).collect(),
            align: problem.buffers.iter().map(|b| b.alignment.max(1)).collect(),
            fixed: problem.buffers.iter().map(|b| b.offset.unwrap_or(NO_FIXED)).collect(),
            edge_start,
            edges,
            span_start,
            spans,
            extent,
            section_start,
            section_members,
            initial_total,
            initial_cuts: sweep.cuts(),
            preorder,
            partitions: sweep.partitions.clone(),
        }
    }

    /// Number of sections.
    pub fn num_sections(&self) -> usize {
        self.initial_total.len()
    }

    /// The independent partitions of the sweep.
    pub fn partitions(&self) -> &[Partition] {
        &self.partitions
    }

    #[inline]
    pub(crate) fn edges(&self, b: usize) -> &[Edge] {
        &self.edges[self.edge_start[b] as usize..self.edge_start[b + 1] as usize]
    }

    #[inline]
    pub(crate) fn spans(&self, b: usize) -> &[Span] {
        &self.spans[self.span_start[b] as usize..self.span_start[b + 1] as usize]
    }
}
