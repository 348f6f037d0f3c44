//! File formats: the reference's CSV for problems and solutions.

pub mod csv;

pub use self::csv::{
    file_key, from_csv, read_csv, read_csv_file, read_csv_with, same_file, to_csv, to_csv_as, write_csv, write_csv_as,
    write_csv_file, write_csv_file_as, write_file_atomic, Parsed, ReadOptions, TimeColumns,
};
