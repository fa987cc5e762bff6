# flakeedit's completion for Nushell (`flakeedit completions nushell`).
#
# Nushell has no completion protocol of its own in clap, so this registers an
# external completer that asks `flakeedit` (found on PATH) at each TAB in the
# fish protocol: each line is `value<TAB>description`. The candidates are then
# those of the installed version and of the flake on the command line, input
# names included. Other commands go to the external completer that was set
# before this file was sourced, or get Nushell's own file completion.
let flakeedit_previous_completer = $env.config.completions.external.completer?
$env.config.completions.external.completer = {|spans: list<string>|
    if ($spans | first) == "flakeedit" {
        try {
            with-env {FLAKEEDIT_COMPLETE: fish} { ^flakeedit -- ...$spans }
            | lines
            | each {|line|
                let fields = $line | split row --number 2 "\t"
                {value: $fields.0, description: ($fields | get 1? | default "")}
            }
        } catch {
            # No flakeedit on PATH: file completion, never an error at a TAB.
            null
        }
    } else if $flakeedit_previous_completer != null {
        do $flakeedit_previous_completer $spans
    }
}
