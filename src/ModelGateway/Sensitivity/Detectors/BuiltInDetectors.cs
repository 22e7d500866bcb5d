namespace ModelGateway.Sensitivity.Detectors;

/// <summary>The detectors that ship with the gateway and the level each implies unless configured otherwise.</summary>
internal static class BuiltInDetectors
{
    public static IReadOnlyList<(ContentDetector Detector, SensitivityLevel Level)> All { get; } =
    [
        (new EmailDetector(), SensitivityLevel.Internal),
        (new PhoneDetector(), SensitivityLevel.Internal),
        (new PaymentCardDetector(), SensitivityLevel.Confidential),
        (new IbanDetector(), SensitivityLevel.Confidential),
        (new UsSsnDetector(), SensitivityLevel.Confidential),
        (new CloudKeyDetector(), SensitivityLevel.Restricted),
        (new PrivateKeyDetector(), SensitivityLevel.Restricted),
        (new BearerTokenDetector(), SensitivityLevel.Restricted),
    ];

    public static ContentDetector? Find(string name)
    {
        foreach (var (detector, _) in All)
        {
            if (detector.Name == name)
            {
                return detector;
            }
        }

        return null;
    }
}
