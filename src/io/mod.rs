//! File formats: the reference's CSV for problems and solutions.

pub mod csv;
pub mod paths;

pub use self::csv::{
    from_csv, read_csv, read_csv_file, read_csv_file_until, read_csv_file_with, read_csv_with, to_csv, to_csv_as,
    write_csv, write_csv_as, write_csv_file, write_csv_file_as, write_file_atomic, write_plan_csv, MemoryColumns,
    Parsed, ReadOptions, TimeColumns,
};
pub use self::paths::{file_key, first_clash, same_file};
