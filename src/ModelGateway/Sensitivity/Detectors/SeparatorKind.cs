namespace ModelGateway.Sensitivity.Detectors;

/// <summary>The kinds of character that may group the digits of a card number.</summary>
internal enum SeparatorKind
{
    None,

    /// <summary>Spaces of any width and dashes (they may mix, as they always could).</summary>
    SpaceOrDash,

    Dot,

    Slash,
}
