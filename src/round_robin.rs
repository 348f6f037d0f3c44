//! The reference's sequential driver: one exact search worker over the
//! whole problem, its partitions solved in turn. With several preordering
//! heuristics it tries them in round robin with a node limit that starts at
//! twice the number of buffers and doubles each round, as the reference
//! does; with one heuristic it searches without a limit. `--threads 1` is
//! this driver, node for node the reference's search; the neighbourhood
//! search uses it for its small exact repairs.

use crate::error::SolveError;
use crate::params::SolverParams;
use crate::problem::{Problem, Solution};
use crate::report::{Outcome, SolveResult};
use crate::search::{Model, Search, Status};
use crate::stop::StopToken;
use crate::validate::{checked, until_checked};

/// Counters of a solve.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SolveStats {
    /// Search nodes visited.
    pub nodes: u64,
    /// Nodes whose children all failed.
    pub backtracks: u64,
}

/// Solves `problem` with one exact search worker: bound refutation, the
/// model (sweep and pairs), then the reference's round robin, until `stop`
/// says to stop. The solution is validated before it is returned.
pub fn solve(problem: &Problem, params: &SolverParams, stop: &StopToken) -> (SolveResult, SolveStats) {
    let stats = SolveStats::default();
    if params.preordering_heuristics.is_empty() {
        return (Err(SolveError::Params("no preordering heuristic given".into())), stats);
    }
    if let Some(ended) = crate::bounds::admit(problem, stop) {
        return (ended, stats);
    }
    let stop = &until_checked(stop, problem);
    let Some(model) = Model::build(problem, stop) else {
        return (Ok(Outcome::stopped(stop)), stats);
    };
    let mut search = Search::new(&model, problem.capacity, params, stop);
    let status = round_robin(&mut search, &model, params);
    let stats = SolveStats { nodes: search.nodes, backtracks: search.backtracks };
    let result = match status {
        Status::Found => checked(problem, Solution::new(problem, search.solution().to_vec())).map(Outcome::Solved),
        Status::Infeasible => Ok(model.exhausted(problem.capacity)),
        Status::Stopped if search.timed_out() => Ok(Outcome::TimeLimit),
        Status::Stopped | Status::NodeLimit => Ok(Outcome::stopped(stop)),
    };
    (result, stats)
}

/// The backtracks of the reference's search on `problem` at its capacity,
/// without the refutation by bounds that [`solve`] starts with (the
/// reference has none): what the reference counts where a bound proves at
/// once that nothing fits. The count so far when `stop` stops it; 0 for a
/// problem that breaks the model.
pub fn search_backtracks(problem: &Problem, params: &SolverParams, stop: &StopToken) -> u64 {
    if problem.check().is_err() || params.preordering_heuristics.is_empty() {
        return 0;
    }
    let Some(model) = Model::build(problem, stop) else {
        return 0;
    };
    let mut search = Search::new(&model, problem.capacity, params, stop);
    round_robin(&mut search, &model, params);
    search.backtracks
}

/// The reference's driver: one heuristic without limit, or several in round
/// robin with doubling node limits. All partitions must be solved under the
/// same heuristic and budget; a node limit moves on to the next heuristic.
pub(crate) fn round_robin(search: &mut Search<'_>, model: &Model, params: &SolverParams) -> Status {
    let solve_all = |search: &mut Search<'_>| {
        for p in 0..model.partitions().len() {
            let status = search.solve_partition(p);
            if status != Status::Found {
                return status;
            }
        }
        Status::Found
    };
    if let [only] = params.preordering_heuristics.as_slice() {
        search.set_keys(&only.0);
        search.set_node_limit(i64::MAX);
        return solve_all(search);
    }
    let mut node_limit = model.num_buffers as i64;
    loop {
        node_limit = node_limit.saturating_mul(2);
        for h in &params.preordering_heuristics {
            search.set_keys(&h.0);
            search.set_node_limit(node_limit);
            match solve_all(search) {
                Status::NodeLimit => continue,
                other => return other,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::parse_heuristics;
    use crate::problem::Buffer;

    #[test]
    fn counts_what_the_reference_counts_where_a_bound_refutes() {
        let p = Problem::new(vec![Buffer::new("a", 0, 2, 2), Buffer::new("b", 0, 2, 2)], 3);
        let heuristics = parse_heuristics("TWA").unwrap();
        let params = SolverParams { threads: 1, preordering_heuristics: heuristics, ..SolverParams::all_off() };
        let (result, stats) = solve(&p, &params, &StopToken::new());
        assert!(matches!(result, Ok(Outcome::Infeasible { .. })));
        assert_eq!(stats.backtracks, 0, "refuted by the load bound");
        assert_eq!(search_backtracks(&p, &params, &StopToken::new()), 3, "the reference's count");
        let bad = Problem::new(vec![Buffer::new("a", 2, 0, 1)], 3);
        assert_eq!(search_backtracks(&bad, &params, &StopToken::new()), 0);
    }
}
