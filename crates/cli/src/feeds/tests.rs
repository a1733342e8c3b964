// Unit tests of the feed readers (filled below).
