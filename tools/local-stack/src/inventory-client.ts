/** What inventory-service's `GET /products` answers per product. */
export interface ProductView {
  sku: string;
  name: string;
  priceMinor: number;
  currency: string;
  available: number;
  reserved: number;
  sold: number;
}

export async function listProducts(inventoryUrl: string): Promise<ProductView[]> {
  const response = await fetch(`${inventoryUrl}/products`);
  const text = await response.text();
  if (!response.ok) throw new Error(`GET ${inventoryUrl}/products answered ${response.status}: ${text}`);
  return JSON.parse(text) as ProductView[];
}
