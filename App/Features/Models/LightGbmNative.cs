using System.Runtime.InteropServices;
using System.Text;

namespace Signalbook.Features.Models;

/// <summary>
/// The LightGBM C API (lib_lightgbm 4.6.0, shipped for linux-x64 / win-x64 / osx by the <c>LightGBM</c> package that
/// <c>Microsoft.ML.LightGbm</c> 5.0.1 depends on). We call it directly rather than through ML.NET's trainer because
/// ML.NET neither passes <c>deterministic</c> nor feeds doubles (it converts features to float and re-implements
/// prediction over its own tree ensemble); the C API takes our row-major doubles as they are, accepts every parameter,
/// and its text model format reloads to the same booster. Signatures: LightGBM's include/LightGBM/c_api.h.
/// </summary>
internal static partial class LightGbmNative
{
    private const string Library = "lib_lightgbm";

    public const int DtypeFloat32 = 0;
    public const int DtypeFloat64 = 1;
    public const int PredictNormal = 0;
    public const int PredictRawScore = 1;
    public const int ImportanceGain = 1;

    [LibraryImport(Library)]
    private static partial IntPtr LGBM_GetLastError();

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int LGBM_DatasetCreateFromMat(IntPtr data, int dataType, int rows, int columns, int isRowMajor, string parameters,
        IntPtr reference, out IntPtr handle);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int LGBM_DatasetSetField(IntPtr handle, string field, IntPtr data, int count, int type);

    [LibraryImport(Library)]
    public static partial int LGBM_DatasetFree(IntPtr handle);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int LGBM_BoosterCreate(IntPtr train, string parameters, out IntPtr booster);

    [LibraryImport(Library)]
    public static partial int LGBM_BoosterAddValidData(IntPtr booster, IntPtr valid);

    [LibraryImport(Library)]
    public static partial int LGBM_BoosterUpdateOneIter(IntPtr booster, out int isFinished);

    [LibraryImport(Library)]
    public static partial int LGBM_BoosterGetEvalCounts(IntPtr booster, out int count);

    [LibraryImport(Library)]
    public static unsafe partial int LGBM_BoosterGetEval(IntPtr booster, int dataIndex, out int length, double* results);

    [LibraryImport(Library)]
    public static partial int LGBM_BoosterGetCurrentIteration(IntPtr booster, out int iteration);

    [LibraryImport(Library)]
    public static unsafe partial int LGBM_BoosterSaveModelToString(IntPtr booster, int startIteration, int iterations, int importanceType,
        long bufferLength, out long length, byte* output);

    [LibraryImport(Library)]
    public static unsafe partial int LGBM_BoosterLoadModelFromString(byte* model, out int iterations, out IntPtr booster);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static unsafe partial int LGBM_BoosterPredictForMat(IntPtr booster, double* data, int dataType, int rows, int columns, int isRowMajor,
        int predictType, int startIteration, int iterations, string parameters, out long length, double* result);

    [LibraryImport(Library)]
    public static unsafe partial int LGBM_BoosterFeatureImportance(IntPtr booster, int iterations, int importanceType, double* result);

    [LibraryImport(Library)]
    public static partial int LGBM_BoosterGetNumFeature(IntPtr booster, out int count);

    [LibraryImport(Library)]
    public static partial int LGBM_BoosterFree(IntPtr booster);

    /// <summary>Throws with LightGBM's own message when a call failed (non-zero return).</summary>
    public static void Check(int status, string call)
    {
        if (status == 0) return;
        var message = Marshal.PtrToStringUTF8(LGBM_GetLastError()) ?? "unknown error";
        throw new InvalidOperationException($"LightGBM {call} failed: {message}");
    }

    public static unsafe string SaveModel(IntPtr booster, int iterations)
    {
        Check(LGBM_BoosterSaveModelToString(booster, 0, iterations, ImportanceGain, 0, out var length, null), "SaveModelToString");
        var buffer = new byte[length];
        fixed (byte* p = buffer)
            Check(LGBM_BoosterSaveModelToString(booster, 0, iterations, ImportanceGain, length, out _, p), "SaveModelToString");
        return Encoding.UTF8.GetString(buffer, 0, (int)length - 1); // the length counts the terminating NUL
    }

    public static unsafe IntPtr LoadModel(string model)
    {
        var bytes = Encoding.UTF8.GetBytes(model + "\0");
        fixed (byte* p = bytes)
        {
            Check(LGBM_BoosterLoadModelFromString(p, out _, out var booster), "LoadModelFromString");
            return booster;
        }
    }
}

/// <summary>A LightGBM booster handle, freed once.</summary>
internal sealed class BoosterHandle : SafeHandle
{
    public BoosterHandle(IntPtr handle) : base(IntPtr.Zero, ownsHandle: true) => SetHandle(handle);

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle() => LightGbmNative.LGBM_BoosterFree(handle) == 0;
}

/// <summary>A LightGBM dataset handle, freed once.</summary>
internal sealed class DatasetHandle : SafeHandle
{
    public DatasetHandle(IntPtr handle) : base(IntPtr.Zero, ownsHandle: true) => SetHandle(handle);

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle() => LightGbmNative.LGBM_DatasetFree(handle) == 0;
}
