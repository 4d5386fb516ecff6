//! Demo organisation generator (written by a helper).
